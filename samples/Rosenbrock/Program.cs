using System;
using Backprop;
using Backprop.Training;

// Minimizes the Rosenbrock function f(x, y) = (1 - x)² + 100 (y - x²)² from (-1.5, 2) with Adam,
// using the gradient that Backprop.Gen generated at compile time (Objective.ValueGradient).
var point = new[] { -1.5, 2.0 };
var gradient = new double[2];
var parameters = new ParameterSet<double>();
parameters.AddGroup(learningRate: 0.02).Add("point", point, gradient);
var optimizer = new Adam<double>(parameters, new AdamOptions());

double value = double.NaN;
for (int step = 0; step <= 5000; step++)
{
    value = Objective.ValueGradient(point[0], point[1], out gradient[0], out gradient[1]);
    if (step % 500 == 0)
        Console.WriteLine($"step {step,5}: f = {value,12:E4}  at ({point[0]:F5}, {point[1]:F5})  |grad| = {Math.Sqrt(gradient[0] * gradient[0] + gradient[1] * gradient[1]):E2}");
    if (value < 1e-10) break;
    optimizer.Step();
}
Console.WriteLine(value < 1e-6
    ? $"Converged to ({point[0]:F6}, {point[1]:F6}); the minimum is (1, 1)."
    : $"Did not converge: f = {value:E3}");
return value < 1e-6 ? 0 : 1;

internal static partial class Objective
{
    [Differentiable(GradientName = "ValueGradient")]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }
}
