using System;
using Backprop.Consumer.Tests;
using BenchmarkDotNet.Attributes;

namespace Backprop.Benchmarks;

/// <summary>
/// An ADBench bundle-adjustment instance, as ADBench's reader builds it (<c>read_ba_instance</c>): the file holds one
/// camera, one point, one weight and one feature, replicated n, m and p times; observation i sees camera i mod n and
/// point i mod m.
/// </summary>
public sealed class BundleAdjustmentData
{
    public readonly int N, M, P;
    public readonly double[] Cameras, Points, Weights, Features;
    public readonly int[] Observations;

    public BundleAdjustmentData(int n, int m, int p, double[] camera, double[] point, double weight, double[] feature)
    {
        (N, M, P) = (n, m, p);
        Cameras = new double[n * BundleAdjustmentModel.CameraParameters];
        Points = new double[m * 3];
        Weights = new double[p];
        Features = new double[p * 2];
        Observations = new int[p * 2];
        for (int i = 0; i < n; i++) camera.CopyTo(Cameras, i * BundleAdjustmentModel.CameraParameters);
        for (int i = 0; i < m; i++) point.CopyTo(Points, i * 3);
        for (int i = 0; i < p; i++)
        {
            Weights[i] = weight;
            feature.CopyTo(Features, i * 2);
            Observations[2 * i] = i % n;
            Observations[2 * i + 1] = i % m;
        }
    }

    /// <summary>ADBench's <c>data/ba/ba1_n49_m7776_p31843.txt</c> (MIT).</summary>
    public static BundleAdjustmentData Ba1() => new(49, 7776, 31843,
        [-0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426, -8.518870, 0.087812, 0.002739],
        [7.203245, 0.001144, 3.023326], 0.417022, [271.760969, 834.209256]);

    /// <summary>ADBench's test instance (<c>test/cpp/modules/common/BaTests.cpp</c>), with its expected values in --check.</summary>
    public static BundleAdjustmentData Test() => new(2, 10, 10,
        [1.797201, 0.590697, -0.635786, 90.859550, 29.361415, 28.777534, 211.628116, -0.284531, -14.762924, 0.058931, 0.069976],
        [4.173048, 5.586898, 1.403869], 0.417022, [-525.672849, 161.811929]);

    public ReadOnlySpan<double> Camera(int observation) =>
        Cameras.AsSpan(Observations[2 * observation] * BundleAdjustmentModel.CameraParameters, BundleAdjustmentModel.CameraParameters);

    public ReadOnlySpan<double> Point(int observation) => Points.AsSpan(Observations[2 * observation + 1] * 3, 3);

    /// <summary>The objective: every observation's reprojection and weight errors, into <paramref name="errors"/> (p × 3).</summary>
    public void Objective(Span<double> errors)
    {
        for (int i = 0; i < P; i++)
            BundleAdjustmentModel.Reprojection(Camera(i), Point(i), Weights[i], Features.AsSpan(2 * i, 2), errors.Slice(3 * i, 3));
    }

    /// <summary>The errors and each observation's dense 3 × 15 Jacobian block (row-major) into <paramref name="jacobian"/>.</summary>
    public void Jacobian(Span<double> errors, Span<double> jacobian)
    {
        const int block = BundleAdjustmentModel.Outputs * BundleAdjustmentModel.Inputs;
        for (int i = 0; i < P; i++)
            BundleAdjustmentModel.ReprojectionJacobian(Camera(i), Point(i), Weights[i], Features.AsSpan(2 * i, 2), errors.Slice(3 * i, 3), jacobian.Slice(block * i, block));
    }
}

/// <summary>
/// ADBench bundle adjustment ba1_n49_m7776_p31843 (31,843 observations): the objective, and the objective with the
/// Jacobian from the generated <c>ReprojectionJacobian</c>. ADBench reports the ratio Jacobian / objective.
/// </summary>
[MemoryDiagnoser]
public class BundleAdjustmentJacobianBenchmarks
{
    private readonly BundleAdjustmentData _d = BundleAdjustmentData.Ba1();
    private readonly double[] _errors, _jacobian;

    public BundleAdjustmentJacobianBenchmarks()
    {
        _errors = new double[_d.P * BundleAdjustmentModel.Outputs];
        _jacobian = new double[_d.P * BundleAdjustmentModel.Outputs * BundleAdjustmentModel.Inputs];
    }

    [Benchmark(Baseline = true)]
    public double Objective()
    {
        _d.Objective(_errors);
        return _errors[0];
    }

    [Benchmark]
    public double Jacobian()
    {
        _d.Jacobian(_errors, _jacobian);
        return _jacobian[0];
    }

    /// <summary>The same Jacobian from <see cref="BundleAdjustmentJacobianSketch"/>: one forward sweep, three reverse sweeps.</summary>
    [Benchmark]
    public double OneForwardThreeReverse()
    {
        const int block = BundleAdjustmentModel.Outputs * BundleAdjustmentModel.Inputs;
        for (int i = 0; i < _d.P; i++)
            BundleAdjustmentJacobianSketch.ReprojectionJacobian(_d.Camera(i), _d.Point(i), _d.Weights[i], _d.Features.AsSpan(2 * i, 2), _errors.AsSpan(3 * i, 3), _jacobian.AsSpan(block * i, block));
        return _jacobian[0];
    }

    // What the Jacobian is made of (it runs ReprojectionBackward once per output row): the split forward sweep with its
    // tape, and one whole row (forward sweep, tape, reverse sweep).

    [Benchmark]
    public double ForwardOnTape()
    {
        for (int i = 0; i < _d.P; i++)
        {
            var tape = Backprop.CompilerServices.Tape.Start();
            BundleAdjustmentModel.ReprojectionForward(_d.Camera(i), _d.Point(i), _d.Weights[i], _d.Features.AsSpan(2 * i, 2), _errors.AsSpan(3 * i, 3), ref tape);
            tape.Dispose();
        }
        return _errors[0];
    }

    [Benchmark]
    public double OneRow()
    {
        Span<double> seed = stackalloc double[BundleAdjustmentModel.Outputs];
        const int block = BundleAdjustmentModel.Outputs * BundleAdjustmentModel.Inputs;
        for (int i = 0; i < _d.P; i++)
        {
            seed[0] = 1;
            double dWeight = 0;
            var row = _jacobian.AsSpan(block * i, BundleAdjustmentModel.Inputs);
            BundleAdjustmentModel.ReprojectionBackward(_d.Camera(i), _d.Point(i), _d.Weights[i], _d.Features.AsSpan(2 * i, 2), _errors.AsSpan(3 * i, 3),
                seed, row[..BundleAdjustmentModel.CameraParameters], row.Slice(BundleAdjustmentModel.CameraParameters, 3), ref dWeight);
            row[^1] = dWeight;
        }
        return _jacobian[0];
    }
}
