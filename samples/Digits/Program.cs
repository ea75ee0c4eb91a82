using System;
using Backprop.Samples;
using Backprop.Training;
using Digits;

// Handwritten-looking digits, 8x8 like scikit-learn's digits data set: each image is a 5x7 glyph of 0-9, shifted to
// one of 8 positions, its strokes of uneven ink with gaps, on noise. A PyTorch-style module, Mlp (Linear(64, 32) → ReLU →
// Linear(32, 10)), trained with Adam on mini-batches of 32; accuracy is measured on a separate test set.
const int TrainImages = 4000, TestImages = 500, BatchSize = 32, MaxEpochs = 30;
const double LearningRate = 0.005, TargetAccuracy = 0.95;
const int Pixels = Mlp.Inputs;

string[][] glyphs =
{
    new[] { ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###." },
    new[] { "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###." },
    new[] { ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####" },
    new[] { "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###." },
    new[] { "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#." },
    new[] { "#####", "#....", "####.", "....#", "....#", "#...#", ".###." },
    new[] { "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###." },
    new[] { "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..." },
    new[] { ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###." },
    new[] { ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.." },
};

var random = new Random(2024);
double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
(double[] Images, int[] Labels) Generate(int count)
{
    var images = new double[count * Pixels];
    var labels = new int[count];
    for (int s = 0; s < count; s++)
    {
        int digit = random.Next(10), dx = random.Next(4), dy = random.Next(2);
        labels[s] = digit;
        var image = images.AsSpan(s * Pixels, Pixels);
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 5; c++)
                if (glyphs[digit][r][c] == '#' && random.NextDouble() > 0.1)    // a stroke, with a gap one time in ten
                    image[(r + dy) * 8 + c + dx] = 0.5 + 0.5 * random.NextDouble();
        for (int p = 0; p < Pixels; p++)
            image[p] = Math.Clamp(image[p] + 0.15 * Gaussian(), 0, 1);
    }
    return (images, labels);
}
var (trainImages, trainLabels) = Generate(TrainImages);
var (testImages, testLabels) = Generate(TestImages);

var model = new Mlp(random);
var gradient = new Mlp(random);                 // dThis: the generated gradient adds into its members (.grad)
var parameters = new ParameterSet<double>();
model.AddParameters(parameters.AddGroup(learningRate: LearningRate), gradient);   // Fc1.Weight, Fc1.Bias, Fc2.Weight, Fc2.Bias
var optimizer = new Adam<double>(parameters, new AdamOptions());

double Accuracy(double[] images, int[] labels)
{
    int correct = 0;
    for (int s = 0; s < labels.Length; s++)
        if (model.Classify(images.AsSpan(s * Pixels, Pixels)) == labels[s]) correct++;
    return (double)correct / labels.Length;
}

Console.WriteLine($"{TrainImages} training and {TestImages} test images of 8x8 digits; target: test accuracy >= {TargetAccuracy:P0}");
const int BatchesPerEpoch = TrainImages / BatchSize;
var progress = new TrainingProgress("Digits", MaxEpochs, "epoch", args);
progress.Report(0, model.Loss(trainImages, trainLabels), Accuracy(testImages, testLabels));
var order = new int[BatchesPerEpoch];
for (int i = 0; i < order.Length; i++) order[i] = i;
double testAccuracy = 0;
int epoch;
for (epoch = 1; epoch <= MaxEpochs; epoch++)
{
    random.Shuffle(order);
    double epochLoss = 0;
    foreach (int batch in order)
    {
        optimizer.ZeroGrad();
        epochLoss += model.LossGradient(
            trainImages.AsSpan(batch * BatchSize * Pixels, BatchSize * Pixels), trainLabels.AsSpan(batch * BatchSize, BatchSize),
            gradient);
        optimizer.Step();
    }
    testAccuracy = Accuracy(testImages, testLabels);
    progress.Report(epoch, epochLoss / BatchesPerEpoch, testAccuracy);
    if (testAccuracy >= TargetAccuracy) break;
}
bool reached = testAccuracy >= TargetAccuracy;
progress.Finish(reached
    ? $"Reached test accuracy {testAccuracy:P1} (train {Accuracy(trainImages, trainLabels):P1}) after {Math.Min(epoch, MaxEpochs)} epochs."
    : $"Did not reach the target: test accuracy {testAccuracy:P1} after {MaxEpochs} epochs.");
return reached ? 0 : 1;
