using System;
using System.Numerics;
using Backprop.Samples;
using Backprop.Training;
using Projectile;

// Fits how a ball was thrown (speed, angle, drag) to 25 noisy observations of its flight, with Adam on the gradient
// Backprop.Gen generated for a loss written with a user struct and System.Numerics.Vector2 (Model.LossGradient).
var truth = new Launch { Speed = 18f, Angle = 0.9f, Drag = 0.02f };
var observed = new Vector2[25];
Model.Simulate(truth, observed);
var random = new Random(7);
for (int i = 0; i < observed.Length; i++)
    observed[i] += 0.05f * new Vector2((float)Gaussian(random), (float)Gaussian(random));

// One parameter group per unknown: their scales differ by three orders of magnitude.
float[] speed = { 12f }, angle = { 0.6f }, drag = { 0.005f };
float[] dSpeed = new float[1], dAngle = new float[1], dDrag = new float[1];
var parameters = new ParameterSet<float>();
parameters.AddGroup(learningRate: 0.05f).Add("speed", speed, dSpeed);
parameters.AddGroup(learningRate: 0.005f).Add("angle", angle, dAngle);
parameters.AddGroup(learningRate: 0.0005f).Add("drag", drag, dDrag);
var optimizer = new Adam<float>(parameters, new AdamOptions());

const int MaxSteps = 3000;
var progress = new TrainingProgress("Projectile", MaxSteps, "step", args);
float loss = float.NaN;
for (int step = 0; step <= MaxSteps; step++)
{
    var launch = new Launch { Speed = speed[0], Angle = angle[0], Drag = drag[0] };
    loss = Model.LossGradient(launch, observed, out Launch dLaunch);
    (dSpeed[0], dAngle[0], dDrag[0]) = (dLaunch.Speed, dLaunch.Angle, dLaunch.Drag);
    progress.Report(step, loss);
    optimizer.Step();
}
bool close = MathF.Abs(speed[0] - truth.Speed) < 0.2f && MathF.Abs(angle[0] - truth.Angle) < 0.01f && MathF.Abs(drag[0] - truth.Drag) < 0.002f;
progress.Finish($"speed {speed[0]:F3} m/s (truth {truth.Speed}), angle {angle[0]:F4} rad ({truth.Angle}), drag {drag[0]:F5} /m ({truth.Drag}); mean squared error {loss:G4} m² (noise 2σ² = {2 * 0.05f * 0.05f:G2})");
return close ? 0 : 1;

static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
