using System;
using Backprop.Samples;
using Backprop.Training;
using BarsCnn;

// Horizontal versus vertical bars: each 8x8 image holds one bright row (class 0) or one bright column
// (class 1), away from the border, on Gaussian noise. Conv2d(4 filters, 3x3) → ReLU → 2x2 max-pool → Linear(36, 2), softmax
// cross-entropy, trained with Adam on mini-batches; accuracy is measured on a separate test set.
const int TrainImages = 1024, TestImages = 256, BatchSize = 32, MaxEpochs = 20;
const double LearningRate = 0.01, NoiseStd = 0.3, TargetAccuracy = 0.95;
const int Pixels = Model.Size * Model.Size;

var random = new Random(11);
double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
(double[] Images, double[] Labels) Generate(int count)
{
    var images = new double[count * Pixels];
    var labels = new double[count];
    for (int s = 0; s < count; s++)
    {
        int label = random.Next(2), line = 1 + random.Next(Model.Size - 2); // rows/columns 1..6: a 3x3 valid convolution sees them centred
        labels[s] = label;
        for (int r = 0; r < Model.Size; r++)
            for (int c = 0; c < Model.Size; c++)
                images[s * Pixels + r * Model.Size + c] = ((label == 0 ? r : c) == line ? 1.0 : 0.0) + NoiseStd * Gaussian();
    }
    return (images, labels);
}
var (trainImages, trainLabels) = Generate(TrainImages);
var (testImages, testLabels) = Generate(TestImages);

void Uniform(double[] values, double bound) { for (int i = 0; i < values.Length; i++) values[i] = (2 * random.NextDouble() - 1) * bound; }
const int KernelArea = Model.Kernel * Model.Kernel;
double[] k = new double[Model.Filters * KernelArea], kb = new double[Model.Filters];
double[] w = new double[Model.Classes * Model.Features], b = new double[Model.Classes];
Uniform(k, 1 / Math.Sqrt(KernelArea)); Uniform(kb, 1 / Math.Sqrt(KernelArea));
Uniform(w, 1 / Math.Sqrt(Model.Features)); Uniform(b, 1 / Math.Sqrt(Model.Features));
double[] dk = new double[k.Length], dkb = new double[kb.Length], dw = new double[w.Length], db = new double[b.Length];

var parameters = new ParameterSet<double>();
parameters.AddGroup(learningRate: LearningRate)
    .Add("conv.weight", k, dk).Add("conv.bias", kb, dkb)
    .Add("fc.weight", w, dw).Add("fc.bias", b, db);
var optimizer = new Adam<double>(parameters, new AdamOptions());

double Accuracy(double[] images, double[] labels)
{
    int correct = 0;
    for (int s = 0; s < labels.Length; s++)
        if (Model.Classify(k, kb, w, b, images.AsSpan(s * Pixels, Pixels)) == (int)labels[s]) correct++;
    return (double)correct / labels.Length;
}

Console.WriteLine($"{TrainImages} training and {TestImages} test images; target: test accuracy >= {TargetAccuracy:P0}");
const int BatchesPerEpoch = TrainImages / BatchSize;
var progress = new TrainingProgress("BarsCnn", MaxEpochs * BatchesPerEpoch, "batch", args);
progress.Report(0, Model.Loss(k, kb, w, b, trainImages, trainLabels), Accuracy(testImages, testLabels));
double testAccuracy = 0;
int epoch;
for (epoch = 1; epoch <= MaxEpochs; epoch++)
{
    for (int batch = 0; batch < BatchesPerEpoch; batch++)
    {
        optimizer.ZeroGrad();
        double batchLoss = Model.LossGradient(k, kb, w, b,
            trainImages.AsSpan(batch * BatchSize * Pixels, BatchSize * Pixels), trainLabels.AsSpan(batch * BatchSize, BatchSize),
            dk, dkb, dw, db);
        optimizer.Step();
        bool epochEnd = batch == BatchesPerEpoch - 1;
        if (epochEnd) testAccuracy = Accuracy(testImages, testLabels);
        progress.Report((epoch - 1) * BatchesPerEpoch + batch + 1, batchLoss, epochEnd ? testAccuracy : null);
    }
    if (testAccuracy >= TargetAccuracy) break;
}
bool reached = testAccuracy >= TargetAccuracy;
progress.Finish(reached
    ? $"Reached test accuracy {testAccuracy:P1} (train {Accuracy(trainImages, trainLabels):P1}) after {Math.Min(epoch, MaxEpochs)} epochs."
    : $"Did not reach the target: test accuracy {testAccuracy:P1}.");
return reached ? 0 : 1;
