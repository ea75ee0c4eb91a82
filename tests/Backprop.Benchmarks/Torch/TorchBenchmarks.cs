using BenchmarkDotNet.Attributes;
using static TorchSharp.torch;

namespace Backprop.Benchmarks.Torch;

/// <summary><c>torch.matmul</c> on one thread, the shapes of <see cref="GemmBenchmarks"/>.</summary>
[Config(typeof(OpsConfig))]
public class TorchGemmBenchmarks
{
    private TorchMatMul _double = null!, _float = null!;

    [Params("32x784x128", "256x256x256")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        TorchSharp.torch.set_num_threads(1);
        var parts = System.Array.ConvertAll(Shape.Split('x'), int.Parse);
        _double = new TorchMatMul(parts[0], parts[1], parts[2], ScalarType.Float64);
        _float = new TorchMatMul(parts[0], parts[1], parts[2], ScalarType.Float32);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _double.Dispose();
        _float.Dispose();
    }

    [Benchmark]
    public void Double() => _double.Run();

    [Benchmark]
    public void Float() => _float.Run();
}

/// <summary>The MLP of <see cref="MlpOpsBenchmarks"/> on libtorch, one thread; the setup checks both agree first.</summary>
[Config(typeof(OpsConfig))]
public class TorchMlpBenchmarks
{
    private TorchMlp _double = null!, _float = null!;

    [GlobalSetup]
    public void Setup()
    {
        TorchSharp.torch.set_num_threads(1);
        var data = new MlpOpsData();
        _double = new TorchMlp(data.D, ScalarType.Float64);
        _float = new TorchMlp(data.D, ScalarType.Float32);
        TorchRows.CheckAgreement(data, _double, _float);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _double.Dispose();
        _float.Dispose();
    }

    [Benchmark]
    public double Double() => _double.ValueAndGradient();

    [Benchmark]
    public double Float() => _float.ValueAndGradient();
}
