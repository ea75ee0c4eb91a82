using System;
using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks;

/// <summary>
/// The residual layer of samples/CurveFit (a damped oscillator, 5 parameters, 200 residuals), with forward mode too, to
/// compare the generated Jacobian (one reverse sweep per residual) with 5 forward sweeps (one per parameter).
/// </summary>
public static partial class CurveFitModel
{
    public const int Parameters = 5, Observations = 200;

    [Differentiable(Forward = true, Jacobian = true)]
    public static void Residuals(ReadOnlySpan<double> theta, [NoDerivative] ReadOnlySpan<double> t, [NoDerivative] ReadOnlySpan<double> y, Span<double> r)
    {
        for (int i = 0; i < r.Length; i++) r[i] = theta[0] * Math.Exp(-theta[1] * t[i]) * Math.Cos(theta[2] * t[i] + theta[3]) + theta[4] - y[i];
    }
}

/// <summary>
/// The 200 × 5 Jacobian of the CurveFit residuals: the residuals alone (baseline), the generated <c>ResidualsJacobian</c>,
/// and the same Jacobian column by column from <c>ResidualsTangent</c> along each unit direction.
/// </summary>
[MemoryDiagnoser]
public class CurveFitJacobianBenchmarks
{
    private readonly double[] _theta = { 1.0, 0.1, 1.8, 0.0, 0.0 };
    private readonly double[] _t = new double[CurveFitModel.Observations], _y = new double[CurveFitModel.Observations];
    private readonly double[] _r = new double[CurveFitModel.Observations], _column = new double[CurveFitModel.Observations];
    private readonly double[] _jacobian = new double[CurveFitModel.Observations * CurveFitModel.Parameters];
    private readonly double[] _direction = new double[CurveFitModel.Parameters];

    public CurveFitJacobianBenchmarks()
    {
        for (int i = 0; i < _t.Length; i++)
        {
            _t[i] = 10.0 * i / (_t.Length - 1);
            _y[i] = Math.Sin(_t[i]);
        }
    }

    /// <summary>The Jacobian the last benchmark call wrote (for --check).</summary>
    public double[] LastJacobian => _jacobian;

    [Benchmark(Baseline = true)]
    public double Residuals()
    {
        CurveFitModel.Residuals(_theta, _t, _y, _r);
        return _r[0];
    }

    [Benchmark]
    public double Jacobian()
    {
        CurveFitModel.ResidualsJacobian(_theta, _t, _y, _r, _jacobian);
        return _jacobian[0];
    }

    [Benchmark]
    public double JacobianByTangents()
    {
        for (int p = 0; p < CurveFitModel.Parameters; p++)
        {
            Array.Clear(_direction);
            _direction[p] = 1;
            CurveFitModel.ResidualsTangent(_theta, _t, _y, _r, _direction, _column);
            for (int i = 0; i < _column.Length; i++) _jacobian[i * CurveFitModel.Parameters + p] = _column[i];
        }
        return _jacobian[0];
    }
}
