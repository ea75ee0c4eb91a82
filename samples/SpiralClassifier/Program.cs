using System;
using Backprop.Samples;
using Backprop.Training;
using SpiralClassifier;

// Three interleaved spirals (the CS231n data set), 100 points per class, classified by
// Linear(2, 32) → tanh → Linear(32, 3) with softmax cross-entropy, trained full-batch with Adam.
const int PerClass = 100, Classes = Model.Classes, MaxEpochs = 3000;
const double LearningRate = 0.01, TargetAccuracy = 0.95;

var random = new Random(7);
double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
int n = PerClass * Classes;
var xs = new double[n * 2];
var labels = new double[n];
for (int c = 0; c < Classes; c++)
    for (int i = 0; i < PerClass; i++)
    {
        int s = c * PerClass + i;
        double r = (double)i / (PerClass - 1);
        double t = c * 4 + 4.0 * i / (PerClass - 1) + 0.2 * Gaussian();
        xs[2 * s] = r * Math.Sin(t);
        xs[2 * s + 1] = r * Math.Cos(t);
        labels[s] = c;
    }

void Uniform(double[] values, double bound) { for (int i = 0; i < values.Length; i++) values[i] = (2 * random.NextDouble() - 1) * bound; }
double[] w1 = new double[Model.Hidden * Model.Inputs], b1 = new double[Model.Hidden], w2 = new double[Classes * Model.Hidden], b2 = new double[Classes];
Uniform(w1, 1 / Math.Sqrt(Model.Inputs)); Uniform(b1, 1 / Math.Sqrt(Model.Inputs));
Uniform(w2, 1 / Math.Sqrt(Model.Hidden)); Uniform(b2, 1 / Math.Sqrt(Model.Hidden));
double[] dw1 = new double[w1.Length], db1 = new double[b1.Length], dw2 = new double[w2.Length], db2 = new double[b2.Length];

var parameters = new ParameterSet<double>();
parameters.AddGroup(learningRate: LearningRate)
    .Add("fc1.weight", w1, dw1).Add("fc1.bias", b1, db1)
    .Add("fc2.weight", w2, dw2).Add("fc2.bias", b2, db2);
var optimizer = new Adam<double>(parameters, new AdamOptions());

double Accuracy()
{
    int correct = 0;
    for (int s = 0; s < n; s++)
        if (Model.Classify(w1, b1, w2, b2, xs.AsSpan(2 * s, 2)) == (int)labels[s]) correct++;
    return (double)correct / n;
}

Console.WriteLine($"{n} points, 3 classes; target: train accuracy >= {TargetAccuracy:P0}");
double loss = 0, accuracy = Accuracy();
var progress = new TrainingProgress("SpiralClassifier", MaxEpochs, "epoch", args);
progress.Report(0, Model.Loss(w1, b1, w2, b2, xs, labels), accuracy);
int epoch;
for (epoch = 1; epoch <= MaxEpochs; epoch++)
{
    optimizer.ZeroGrad();
    loss = Model.LossGradient(w1, b1, w2, b2, xs, labels, dw1, db1, dw2, db2);
    optimizer.Step();
    bool measure = epoch % 10 == 0;
    if (measure) accuracy = Accuracy();
    progress.Report(epoch, loss, measure ? accuracy : null);
    if (epoch % 100 == 0 && accuracy >= TargetAccuracy) break;
}
accuracy = Accuracy();
bool reached = accuracy >= TargetAccuracy;
progress.Finish(reached
    ? $"Reached train accuracy {accuracy:P1} (loss {Model.Loss(w1, b1, w2, b2, xs, labels):F4}) after {Math.Min(epoch, MaxEpochs)} epochs."
    : $"Did not reach the target: train accuracy {accuracy:P1} after {MaxEpochs} epochs.");
return reached ? 0 : 1;
