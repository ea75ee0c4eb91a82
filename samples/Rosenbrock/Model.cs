using Backprop;

namespace Rosenbrock;

/// <summary>The Rosenbrock function, a classic test of optimizers: a curved valley whose minimum is f(1, 1) = 0.</summary>
public static partial class Model
{
    /// <summary>f(x, y) = (1 - x)² + 100 (y - x²)²; its generated gradient is <c>RosenbrockGradient(x, y, out dX, out dY)</c>.</summary>
    [Differentiable]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }
}
