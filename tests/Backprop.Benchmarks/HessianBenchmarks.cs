using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Backprop.Benchmarks;

/// <summary>
/// Issue 13's second-order and forward-mode targets: per workload, the plain method (baseline), the generated gradient,
/// Hessian–vector product (target: ≤ 3× the gradient) and tangent (target: ≤ 2× the plain method). BenchmarkDotNet runs
/// them one after the other; <c>--hessian</c> (<see cref="HessianRatios"/>) times them interleaved, which load from other
/// processes distorts less.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HessianBenchmarks
{
    private readonly LogisticWorkload _logistic = new();

    // Mutable fields, not literals: with constant arguments the JIT folds the small functions away.
    private double _x = 0.7, _y = -0.4, _z = 0.9, _vx = 0.3, _vy = -0.5, _vz = 0.8, _rx = -1.2, _ry = 1;

    [Benchmark(Baseline = true), BenchmarkCategory("Logistic d=100 m=500")]
    public double LogisticForward() => _logistic.Loss();

    [Benchmark, BenchmarkCategory("Logistic d=100 m=500")]
    public double LogisticGradient() => _logistic.Gradient();

    [Benchmark, BenchmarkCategory("Logistic d=100 m=500")]
    public double LogisticHessianVectorProduct() => _logistic.HessianVectorProduct();

    [Benchmark, BenchmarkCategory("Logistic d=100 m=500")]
    public double LogisticTangent() => _logistic.Tangent();

    [Benchmark(Baseline = true), BenchmarkCategory("Wavy")]
    public double WavyForward() => HessianWorkloads.Wavy(_x, _y, _z);

    [Benchmark, BenchmarkCategory("Wavy")]
    public double WavyGradient() => HessianWorkloads.WavyGradient(_x, _y, _z, out double dX, out double dY, out double dZ) + dX + dY + dZ;

    [Benchmark, BenchmarkCategory("Wavy")]
    public double WavyHessianVectorProduct() =>
        HessianWorkloads.WavyHessianVectorProduct(_x, _y, _z, _vx, _vy, _vz, out double dX, out double dY, out double dZ, out double hX, out double hY, out double hZ)
        + dX + dY + dZ + hX + hY + hZ;

    [Benchmark, BenchmarkCategory("Wavy")]
    public double WavyTangent() => HessianWorkloads.WavyTangent(_x, _y, _z, _vx, _vy, _vz, out double t) + t;

    [Benchmark(Baseline = true), BenchmarkCategory("Rosenbrock")]
    public double RosenbrockForward() => HessianWorkloads.Rosenbrock(_rx, _ry);

    [Benchmark, BenchmarkCategory("Rosenbrock")]
    public double RosenbrockGradient() => HessianWorkloads.RosenbrockGradient(_rx, _ry, out double dX, out double dY) + dX + dY;

    [Benchmark, BenchmarkCategory("Rosenbrock")]
    public double RosenbrockHessianVectorProduct() =>
        HessianWorkloads.RosenbrockHessianVectorProduct(_rx, _ry, _vx, _vy, out double dX, out double dY, out double hX, out double hY) + dX + dY + hX + hY;

    [Benchmark, BenchmarkCategory("Rosenbrock")]
    public double RosenbrockTangent() => HessianWorkloads.RosenbrockTangent(_rx, _ry, _vx, _vy, out double t) + t;
}
