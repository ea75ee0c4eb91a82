using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Backprop.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Backprop.Benchmarks;

/// <summary>
/// <c>--generator</c>: a Stopwatch benchmark of the generator itself (not BenchmarkDotNet: one run is ~1 s, and the
/// incremental case needs a driver that has already run). It builds an in-memory <see cref="CSharpCompilation"/> of
/// 1,000 <c>[Differentiable]</c> methods of mixed size (straight-line, branches with early returns, loops over spans,
/// nested loops with a call), 10 per file over 100 files, and times <see cref="CSharpGeneratorDriver"/> with
/// <see cref="DifferentiableGenerator"/>:
/// <list type="bullet">
/// <item>cold: a new driver over the whole compilation (binding, lowering, differentiation, emit of all 1,000);</item>
/// <item>incremental: after a run, one file's syntax tree is replaced by a version with one method edited (a literal
/// changed) and the same driver runs again; the tracked step <c>Sources</c> must show exactly 1 output Modified/New.</item>
/// </list>
/// Prints the medians and writes them as a markdown line to <c>BenchmarkDotNet.Artifacts/results/generator-report.md</c>,
/// which update-readme.sh puts under the table.
/// </summary>
internal static class GeneratorBenchmark
{
    private const int Files = 100;
    private const int MethodsPerFile = 10;
    private const int Methods = Files * MethodsPerFile;
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static int Run()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
        var trees = Enumerable.Range(0, Files)
            .Select(f => CSharpSyntaxTree.ParseText(Source(f, edit: 0), ParseOptions, path: $"File{f}.cs"))
            .ToArray();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            optimizationLevel: OptimizationLevel.Release);
        CSharpCompilation NewCompilation() => CSharpCompilation.Create("GeneratorBenchmark" + Guid.NewGuid().ToString("N"), trees, references, options);

        int lines = trees.Sum(t => t.GetText().Lines.Count);
        Console.WriteLine($"{Methods} [Differentiable] methods in {Files} files ({lines} lines); {Environment.ProcessorCount} cores");

        // Cold: a fresh compilation (nothing bound yet) and a fresh driver, each time. The first run warms the JIT.
        var cold = new List<double>();
        var coldModels = new List<double>();
        var coldSources = new List<double>();
        GeneratorDriver driver = null!;
        CSharpCompilation compilation = null!;
        for (int run = 0; run < 6; run++)
        {
            compilation = NewCompilation();
            var stopwatch = Stopwatch.StartNew();
            driver = Driver().RunGenerators(compilation);
            stopwatch.Stop();
            var result = driver.GetRunResult();
            if (run == 0) Validate(result);
            if (run > 0)
            {
                cold.Add(stopwatch.Elapsed.TotalMilliseconds);
                coldModels.Add(result.Results[0].TrackedSteps[TrackingNames.Models].Sum(s => s.ElapsedTime.TotalMilliseconds));
                coldSources.Add(result.Results[0].TrackedSteps[TrackingNames.Sources].Sum(s => s.ElapsedTime.TotalMilliseconds));
            }
            Console.WriteLine($"  cold run {run}: {stopwatch.Elapsed.TotalMilliseconds:F0} ms{(run == 0 ? " (JIT warm-up, not counted)" : "")}; {Steps(driver)}");
        }

        // Incremental: edit one method (method 3 of file 42: the literal changes each time), same driver.
        var incremental = new List<double>();
        int target = 42;
        for (int edit = 1; edit <= 10; edit++)
        {
            var old = compilation.SyntaxTrees.Single(t => t.FilePath == $"File{target}.cs");
            var edited = CSharpSyntaxTree.ParseText(Source(target, edit), ParseOptions, path: old.FilePath);
            compilation = compilation.ReplaceSyntaxTree(old, edited);
            var stopwatch = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            stopwatch.Stop();
            var steps = driver.GetRunResult().Results[0].TrackedSteps[TrackingNames.Sources];
            var reasons = steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());
            int changed = reasons.GetValueOrDefault(IncrementalStepRunReason.Modified) + reasons.GetValueOrDefault(IncrementalStepRunReason.New);
            string which = string.Join(", ", steps.Where(s => s.Outputs.Any(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New))
                .SelectMany(s => s.Outputs).Select(o => o.Value).OfType<object>().Select(HintName));
            Console.WriteLine($"  incremental run {edit}: {stopwatch.Elapsed.TotalMilliseconds:F1} ms; Sources: "
                + string.Join(", ", reasons.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}")) + $" [{which}]; {Steps(driver)}");
            if (changed != 1 || !which.Contains($"File{target}.M3."))
            {
                Console.WriteLine($"expected exactly 1 Modified/New output in Sources (File{target}.M3), got {changed}");
                return 1;
            }
            if (edit > 1) incremental.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        double coldMedian = Median(cold), incrementalMedian = Median(incremental);
        string line = $"Generator (`--generator`, Stopwatch, medians): {Methods:N0} `[Differentiable]` methods of mixed size in {Files} files: "
            + $"cold run {coldMedian:F0} ms = **{coldMedian / Methods:F2} ms per method** (step `Models`, binding and lowering: {Median(coldModels):F0} ms; "
            + $"step `Sources`, differentiation and emit: {Median(coldSources):F0} ms); "
            + $"after editing one method in one file: **{incrementalMedian:F1} ms**, with exactly 1 of {Methods:N0} outputs of the step `Sources` regenerated (Modified), the others Cached "
            + "(`Models` re-runs its transform for all 1,000 methods on any compilation change, as ForAttributeWithMetadataName does, and finds 999 Unchanged).";
        Console.WriteLine();
        Console.WriteLine(line);
        string results = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "generator-report.md"), line + "\n");
        return 0;
    }

    /// <summary>Per tracked step: the sum of its runs' elapsed times and its outputs' reasons.</summary>
    private static string Steps(GeneratorDriver driver)
    {
        var steps = driver.GetRunResult().Results[0].TrackedSteps;
        return string.Join("; ", new[] { TrackingNames.Models, TrackingNames.Sources }.Select(name =>
            $"{name} {steps[name].Sum(s => s.ElapsedTime.TotalMilliseconds):F0} ms ("
            + string.Join(", ", steps[name].SelectMany(s => s.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) + ")"));
    }

    private static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new DifferentiableGenerator().AsSourceGenerator() },
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static void Validate(GeneratorDriverRunResult result)
    {
        var r = result.Results[0];
        if (r.Exception is not null) throw new InvalidOperationException("The generator threw.", r.Exception);
        var errors = r.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (errors.Count > 0) throw new InvalidOperationException("Generator diagnostics:\n" + string.Join("\n", errors.Take(10)));
        if (r.GeneratedSources.Length != Methods)
            throw new InvalidOperationException($"Expected {Methods} generated files, got {r.GeneratedSources.Length}");
        Console.WriteLine($"  {r.GeneratedSources.Length} files generated, {r.GeneratedSources.Sum(s => s.SourceText.Lines.Count)} lines, no diagnostics");
    }

    // The step's output is the generator's internal source model; its hint name identifies the method.
    private static string HintName(object value)
    {
        var property = value.GetType().GetProperty("HintName");
        return property?.GetValue(value) as string ?? value.ToString() ?? "?";
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>File <paramref name="file"/>: 10 methods of 5 kinds and sizes. <paramref name="edit"/> changes a literal of method 3.</summary>
    private static string Source(int file, int edit)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using System;\nusing Backprop;\n\nnamespace Bench;\n");
        sb.AppendLine($"public static partial class File{file}");
        sb.AppendLine("{");
        for (int m = 0; m < MethodsPerFile; m++)
        {
            string name = $"M{m}";
            string c = (m == 3 && edit > 0 ? 0.5 + 0.01 * edit : 0.5 + 0.01 * ((file + m) % 7)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            int size = 1 + (file * MethodsPerFile + m) % 4; // 1..4: repeats the body's pattern
            sb.AppendLine("    [Differentiable]");
            switch (m % 5)
            {
                case 0: // straight-line arithmetic and calls of Math
                    sb.AppendLine($"    public static double {name}(double x, double y, double z)\n    {{\n        double t = x * {c};");
                    for (int k = 0; k < 3 * size; k++)
                        sb.AppendLine($"        t = Math.Sin(t * y) + Math.Exp(-{c} * z * z) * t - Math.Log(1 + x * x) / (1 + t * t);");
                    sb.AppendLine("        return t * t + Math.Tanh(x * y * z);\n    }");
                    break;
                case 1: // branches and early returns
                    sb.AppendLine($"    public static double {name}(double x, double y)\n    {{\n        double r = x;");
                    for (int k = 0; k < size; k++)
                    {
                        sb.AppendLine($"        if (r > {k} * {c}) {{ r = r * y + {c}; if (y < 0) return r * r; }}");
                        sb.AppendLine($"        else if (x < -{k}) {{ r = Math.Sqrt(1 + r * r) - y; }}");
                        sb.AppendLine($"        else {{ r = r > y ? r - y : y * {c}; }}");
                    }
                    sb.AppendLine("        return r * x + y;\n    }");
                    break;
                case 2: // a loop over spans
                    sb.AppendLine($"    public static double {name}(ReadOnlySpan<double> w, ReadOnlySpan<double> x, double b)\n    {{\n        double s = b;");
                    for (int k = 0; k < size; k++)
                        sb.AppendLine($"        for (int i = 0; i < w.Length; i++) s += Math.Tanh(w[i] * x[i] + {c} * s);");
                    sb.AppendLine("        return s * s;\n    }");
                    break;
                case 3: // nested loops over a matrix, a break, a local buffer
                    sb.AppendLine($"    public static double {name}(ReadOnlySpan<double> w, ReadOnlySpan<double> v, [NoDerivative] int rows)\n    {{");
                    sb.AppendLine("        int cols = v.Length;\n        Span<double> h = stackalloc double[rows];\n        double sum = 0;");
                    for (int k = 0; k < size; k++)
                    {
                        sb.AppendLine("        for (int r = 0; r < rows; r++)\n        {\n            double a = 0;");
                        sb.AppendLine($"            for (int c = 0; c < cols; c++) {{ a += w[r * cols + c] * v[c]; if (a > 100) break; }}");
                        sb.AppendLine($"            h[r] = a > 0 ? a : {c} * a;\n            sum += h[r] * h[r];\n        }}");
                    }
                    sb.AppendLine("        return sum;\n    }");
                    break;
                default: // calls of the file's other methods
                    sb.AppendLine($"    public static double {name}(ReadOnlySpan<double> w, double x, double y)\n    {{");
                    sb.AppendLine($"        double t = M0(x, y, {c}) + M1(x, y);");
                    for (int k = 0; k < size; k++)
                        sb.AppendLine($"        t = t * {c} + M2(w, w, t) - Math.Pow(1 + x * x, {c});");
                    sb.AppendLine("        return t;\n    }");
                    break;
            }
            sb.AppendLine();
        }
        sb.AppendLine("}");
        return sb.ToString();
    }
}
