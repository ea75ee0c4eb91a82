using System;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using Perfolizer.Metrology;

namespace Backprop.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "--check") return GradientCheck.Run();
        if (args.Length == 1 && args[0] == "--generator") return GeneratorBenchmark.Run();
        if (args.Length >= 1 && args[0] == "--ops")
            return OpsQuick.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15, args.Length > 2 ? args[2] : null);
        if (args.Length == 1 && args[0] == "--model-class") return ModelClassComparison.Run();
        if (args.Length == 1 && args[0] == "--ratios") return InterleavedRatios.Run();
        if (args.Length == 1 && args[0] == "--models") return InterleavedRatios.RunModels();
        if (args.Length == 1 && args[0] == "--gmm") return InterleavedRatios.RunGaussianMixture();
        if (args.Length == 1 && args[0] == "--hessian") return HessianRatios.Run();

        // Besides the default exporters: a CSV with fixed units (ns, bytes) and no units in the cells, which
        // update-readme.sh reads, and GitHub markdown.
        var csvStyle = new SummaryStyle(CultureInfo.InvariantCulture, printUnitsInHeader: true, sizeUnit: SizeUnit.B,
            timeUnit: TimeUnit.Nanosecond, printUnitsInContent: false, printZeroValuesInContent: true);
        var config = DefaultConfig.Instance
            .AddExporter(new CsvExporter(CsvSeparator.Semicolon, csvStyle))
            .AddExporter(MarkdownExporter.GitHub)
            .AddColumn(StatisticColumn.Median);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
