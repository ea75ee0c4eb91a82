using System;
using Backprop;

namespace CurveFit;

/// <summary>
/// A damped oscillator y(t) = A·exp(-λt)·cos(ωt + φ) + c observed with noise, and its residuals, whose Jacobian the
/// generator writes (<c>ResidualsJacobian</c>) for the Levenberg–Marquardt fit in Program.cs.
/// </summary>
public static partial class Model
{
    /// <summary>The parameters, in this order in θ: amplitude A, decay rate λ, angular frequency ω, phase φ, offset c.</summary>
    public static readonly string[] ParameterNames = { "A", "lambda", "omega", "phi", "c" };

    /// <summary>The parameters the data are generated from.</summary>
    public static readonly double[] Truth = { 2.0, 0.35, 2.2, 0.6, 0.3 };

    /// <summary>Where the fit starts: every parameter off, the frequency by about 20 %.</summary>
    public static readonly double[] Initial = { 1.0, 0.1, 1.8, 0.0, 0.0 };

    public const int Observations = 200;
    public const double Duration = 10, NoiseStd = 0.1;

    /// <summary>The oscillator at time <paramref name="t"/> (with forward mode, so that the residuals' tangents go through it).</summary>
    [Differentiable(Forward = true)]
    public static double Oscillator(ReadOnlySpan<double> theta, double t) =>
        theta[0] * Math.Exp(-theta[1] * t) * Math.Cos(theta[2] * t + theta[3]) + theta[4];

    /// <summary>
    /// The residuals r_i = y(t_i; θ) − y_i, a layer: its Jacobian (Observations × 5, row-major) is
    /// <c>ResidualsJacobian(theta, t, y, r, jacobian)</c>. With 5 parameters against 200 residuals, it is built from 5
    /// tangents (one per column) rather than 200 reverse sweeps.
    /// </summary>
    [Differentiable(Jacobian = true)]
    public static void Residuals(ReadOnlySpan<double> theta, [NoDerivative] ReadOnlySpan<double> t, [NoDerivative] ReadOnlySpan<double> y, Span<double> r)
    {
        for (int i = 0; i < r.Length; i++) r[i] = Oscillator(theta, t[i]) - y[i];
    }

    /// <summary>Noisy observations of <see cref="Truth"/> at evenly spaced times, from a fixed seed.</summary>
    public static (double[] T, double[] Y) Data(int seed = 5)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] t = new double[Observations], y = new double[Observations];
        for (int i = 0; i < Observations; i++)
        {
            t[i] = Duration * i / (Observations - 1);
            y[i] = Oscillator(Truth, t[i]) + NoiseStd * Gaussian();
        }
        return (t, y);
    }
}
