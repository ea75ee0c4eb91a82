using System;
using Backprop.Samples;
using Backprop.Training;
using SimpleNN;

// Linear(10, 5) → ReLU → Linear(5, 1) trained with SGD (lr = 0.01) on mini-batches, as in PyTorch's
// classic example. The data come from a fixed random "teacher" network of the same shape plus noise.
const int Samples = 512, BatchSize = 16, MaxEpochs = 400;
const double LearningRate = 0.01, NoiseStd = 0.01, Target = 0.005;

var random = new Random(42);
double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
void Uniform(double[] values, double bound) { for (int i = 0; i < values.Length; i++) values[i] = (2 * random.NextDouble() - 1) * bound; }

// Teacher network and data set.
double[] tw1 = new double[Model.Hidden * Model.Inputs], tb1 = new double[Model.Hidden], tw2 = new double[Model.Hidden], tb2 = new double[1];
Uniform(tw1, 1.0); Uniform(tb1, 0.5); Uniform(tw2, 1.0); Uniform(tb2, 0.5);
var xs = new double[Samples * Model.Inputs];
var ys = new double[Samples];
for (int i = 0; i < xs.Length; i++) xs[i] = Gaussian();
for (int s = 0; s < Samples; s++)
    ys[s] = Model.Predict(tw1, tb1, tw2, tb2, xs.AsSpan(s * Model.Inputs, Model.Inputs)) + NoiseStd * Gaussian();

// Student, initialized like torch.nn.Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
double[] w1 = new double[Model.Hidden * Model.Inputs], b1 = new double[Model.Hidden], w2 = new double[Model.Hidden], b2 = new double[1];
Uniform(w1, 1 / Math.Sqrt(Model.Inputs)); Uniform(b1, 1 / Math.Sqrt(Model.Inputs));
Uniform(w2, 1 / Math.Sqrt(Model.Hidden)); Uniform(b2, 1 / Math.Sqrt(Model.Hidden));
double[] dw1 = new double[w1.Length], db1 = new double[b1.Length], dw2 = new double[w2.Length], db2 = new double[b2.Length];

var parameters = new ParameterSet<double>();
parameters.AddGroup(learningRate: LearningRate)
    .Add("fc1.weight", w1, dw1).Add("fc1.bias", b1, db1)
    .Add("fc2.weight", w2, dw2).Add("fc2.bias", b2, db2);
var optimizer = new Sgd<double>(parameters, new SgdOptions());

var order = new int[Samples / BatchSize];
for (int i = 0; i < order.Length; i++) order[i] = i;
double loss = Model.Loss(w1, b1, w2, b2, xs, ys);
Console.WriteLine($"target: mean squared error < {Target} (noise variance {NoiseStd * NoiseStd:G2})");
var progress = new TrainingProgress("SimpleNN", MaxEpochs, "epoch", args);
progress.Report(0, loss);
int epoch = 0;
while (loss >= Target && epoch < MaxEpochs)
{
    epoch++;
    random.Shuffle(order);
    foreach (int batch in order)
    {
        optimizer.ZeroGrad();
        Model.LossGradient(w1, b1, w2, b2,
            xs.AsSpan(batch * BatchSize * Model.Inputs, BatchSize * Model.Inputs), ys.AsSpan(batch * BatchSize, BatchSize),
            dw1, db1, dw2, db2);
        optimizer.Step();
    }
    loss = Model.Loss(w1, b1, w2, b2, xs, ys);
    progress.Report(epoch, loss);
}
bool reached = loss < Target;
progress.Finish(reached
    ? $"Reached mean loss {loss:F6} < {Target} after {epoch} epochs."
    : $"Did not reach the target: mean loss {loss:F6} after {epoch} epochs.");
return reached ? 0 : 1;
