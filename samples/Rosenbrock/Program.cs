using System;
using Backprop.Samples;
using Backprop.Training;
using Rosenbrock;

// Minimizes the Rosenbrock function f(x, y) = (1 - x)² + 100 (y - x²)² from (-1.5, 2) with Adam,
// using the gradient that Backprop.Gen generated at compile time (Model.RosenbrockGradient).
const int MaxSteps = 5000;
var point = new[] { -1.5, 2.0 };
var gradient = new double[2];
var parameters = new ParameterSet<double>();
parameters.AddGroup(learningRate: 0.02).Add("point", point, gradient);
var optimizer = new Adam<double>(parameters, new AdamOptions());

var progress = new TrainingProgress("Rosenbrock", MaxSteps, "step", args);
double value = double.NaN;
for (int step = 0; step <= MaxSteps; step++)
{
    // Scalar gradients are assigned (out), so nothing needs clearing between steps.
    value = Model.RosenbrockGradient(point[0], point[1], out gradient[0], out gradient[1]);
    progress.Report(step, value);
    if (value < 1e-10) break;
    optimizer.Step();
}
progress.Finish(value < 1e-6
    ? $"Converged to ({point[0]:F6}, {point[1]:F6}), f = {TrainingProgress.Format(value)}; the minimum is (1, 1)."
    : $"Did not converge: f = {TrainingProgress.Format(value)}");
return value < 1e-6 ? 0 : 1;
