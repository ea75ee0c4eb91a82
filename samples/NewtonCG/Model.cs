using System;
using Backprop;

namespace NewtonCG;

/// <summary>
/// L2-regularized logistic regression, the problem scikit-learn's <c>newton-cg</c> solver is for, on generated data
/// with features of very different scales (an ill-conditioned Hessian, which slows first-order methods). The generator
/// writes the loss's gradient, Hessian–vector product and dense Hessian (<c>Hessian = true</c>) and its directional
/// derivative (<c>Forward = true</c>).
/// </summary>
public static partial class Model
{
    /// <summary>
    /// The mean logistic loss of the weights <paramref name="w"/> over the examples (the rows of <paramref name="x"/>,
    /// labels ±1 in <paramref name="y"/>) plus λ/2·‖w‖². Generated: <c>LossGradient(w, x, y, lambda, dW)</c>,
    /// <c>LossHessianVectorProduct(w, x, y, lambda, vW, dW, hW)</c>, <c>LossHessian(w, x, y, lambda, hessian)</c> and
    /// <c>LossTangent(w, x, y, lambda, tW, out tLoss)</c>.
    /// </summary>
    [Differentiable(Hessian = true, Forward = true)]
    public static double Loss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> y, [NoDerivative] double lambda)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++) z += w[j] * x[i * d + j];
            // log(1 + exp(-y·z)), written so that exp never overflows.
            double t = -y[i] * z;
            loss += t > 0 ? t + Math.Log(1 + Math.Exp(-t)) : Math.Log(1 + Math.Exp(t));
        }
        double norm = 0;
        for (int j = 0; j < d; j++) norm += w[j] * w[j];
        return loss / y.Length + 0.5 * lambda * norm;
    }

    /// <summary>
    /// <paramref name="examples"/> rows of <paramref name="features"/> Gaussian features, feature j scaled by 10^(−2j/(d − 1))
    /// (from 1 down to 0.01), and labels drawn from the logistic model of a fixed random weight vector; a fixed seed.
    /// </summary>
    public static (double[] X, double[] Y) Data(int examples, int features, int seed = 13)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var truth = new double[features];
        for (int j = 0; j < features; j++) truth[j] = 2 * Gaussian();
        double[] x = new double[examples * features], y = new double[examples];
        for (int i = 0; i < examples; i++)
        {
            double z = 0;
            for (int j = 0; j < features; j++)
            {
                double scale = Math.Pow(10, -2.0 * j / Math.Max(1, features - 1));
                x[i * features + j] = scale * Gaussian();
                z += truth[j] * x[i * features + j];
            }
            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : -1;
        }
        return (x, y);
    }
}
