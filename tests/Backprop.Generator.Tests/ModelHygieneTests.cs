using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Nothing of Roslyn survives lowering: a pipeline model that held a symbol, a syntax node, a location or
/// the compilation would never compare equal across edits (so nothing would be cached) and would keep
/// whole compilations alive. After dotnet/runtime's <c>SourceGenModelDoesNotEncapsulateSymbolsOrCompilationData</c>.
/// </summary>
public sealed class ModelHygieneTests
{
    private static readonly Type[] s_roslynTypes =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel),
        typeof(Compilation), typeof(Location), typeof(IOperation),
    };

    private static readonly Assembly s_generator = typeof(DifferentiableGenerator).Assembly;

    private static Type GeneratorType(string name) => s_generator.GetType(name, throwOnError: true)!;

    private static bool IsRoslyn(Type type) => s_roslynTypes.Any(r => r.IsAssignableFrom(type));

    // ---------------------------------------------------------------- type graph

    /// <summary>
    /// Every type reachable from <paramref name="roots"/> through instance fields, properties, array elements
    /// and generic arguments, plus every derived type of an abstract type declared in <paramref name="declaring"/>;
    /// returns each offending type with the path that reaches it.
    /// </summary>
    private static List<string> RoslynTypesReachable(Assembly declaring, params Type[] roots)
    {
        var problems = new List<string>();
        var visited = new HashSet<Type>();
        var pending = new Queue<(Type Type, string Path)>(roots.Select(r => (r, r.Name)));
        while (pending.Count > 0)
        {
            var (type, path) = pending.Dequeue();
            if (!visited.Add(type)) continue;

            if (IsRoslyn(type))
            {
                problems.Add(path + ": " + type.FullName);
                continue;
            }
            if (type == typeof(object) || type == typeof(ValueType) || type == typeof(Delegate) || typeof(Delegate).IsAssignableFrom(type))
            {
                // Anything could hide behind these; the models have no reason to use them.
                problems.Add(path + ": " + type.FullName + " (opaque)");
                continue;
            }
            if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type.IsPointer || type.IsGenericParameter) continue;

            if (type.HasElementType) pending.Enqueue((type.GetElementType()!, path + "[]"));
            if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments()) pending.Enqueue((argument, path + "<" + argument.Name + ">"));
            }
            if (type.Assembly != declaring) continue;

            const BindingFlags instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            for (var t = type; t is not null && t.Assembly == declaring; t = t.BaseType)
            {
                foreach (var field in t.GetFields(instance)) pending.Enqueue((field.FieldType, path + "." + field.Name));
                // Records expose EqualityContract (a System.Type) to compare types; it is not model state.
                foreach (var property in t.GetProperties(instance).Where(p => p.Name != "EqualityContract"))
                    pending.Enqueue((property.PropertyType, path + "." + property.Name));
            }
            if (type.IsAbstract || type.IsInterface)
            {
                foreach (var derived in declaring.GetTypes().Where(d => d != type && type.IsAssignableFrom(d)))
                    pending.Enqueue((derived, path + " as " + derived.Name));
            }
        }
        return problems;
    }

    [Fact]
    public void PipelineModelTypes_DoNotEncapsulateSymbolsOrCompilationData()
    {
        var problems = RoslynTypesReachable(
            s_generator,
            GeneratorType("Backprop.Generator.Discovery.MethodModel"),
            GeneratorType("Backprop.Generator.Discovery.GeneratedSource"));
        Assert.True(problems.Count == 0, "Roslyn objects reachable from the pipeline models:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void PipelineModelTypes_ReachEveryIrNode()
    {
        // The walk must actually see the IR; a walk that stopped at EquatableArray<T> would pass vacuously.
        var reached = new HashSet<Type>();
        var pending = new Queue<Type>(new[] { GeneratorType("Backprop.Generator.Discovery.MethodModel") });
        while (pending.Count > 0)
        {
            var type = pending.Dequeue();
            if (!reached.Add(type) || type.IsPrimitive || type == typeof(string)) continue;
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes) pending.Enqueue(argument);
            if (type.Assembly != s_generator) continue;
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public)) pending.Enqueue(property.PropertyType);
            foreach (var derived in s_generator.GetTypes().Where(d => d != type && type.IsAbstract && type.IsAssignableFrom(d))) pending.Enqueue(derived);
        }
        foreach (var name in new[] { "Ir.IrBinary", "Ir.IrDifferentiableCall", "Ir.CalleeInfo", "Ir.IrLoop", "Ir.IrIf", "Ir.IrVariable", "Ir.MethodShape", "Diagnostics.DiagnosticInfo", "Diagnostics.SourceLocation" })
            Assert.Contains(GeneratorType("Backprop.Generator." + name), reached);
    }

    // Stand-ins for a model that leaks, to show that the walk catches a Location hidden behind an abstract node in a collection.
    private sealed record LeakyModel(string Name, ImmutableArray<LeakyNode> Nodes);

    private abstract record LeakyNode;

    private sealed record LeakyLeaf(int Value) : LeakyNode;

    private sealed record LeakyLocated(Location Where) : LeakyNode;

    [Fact]
    public void TypeWalk_CatchesALocationBehindAnAbstractNodeInACollection()
    {
        var problems = RoslynTypesReachable(typeof(ModelHygieneTests).Assembly, typeof(LeakyModel));
        Assert.Equal(new[] { "LeakyModel.<Nodes>k__BackingField<LeakyNode> as LeakyLocated.<Where>k__BackingField: Microsoft.CodeAnalysis.Location" }, problems);
    }

    // ---------------------------------------------------------------- object graph

    /// <summary>
    /// Every object reachable from <paramref name="root"/> through instance fields (private ones included) and
    /// enumerable items, with its path; Roslyn objects are listed but not entered.
    /// </summary>
    private static List<(object Value, string Path)> Reachable(object root)
    {
        var reached = new List<(object, string)>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Value, string Path)>();
        pending.Push((root, root.GetType().Name));
        while (pending.Count > 0)
        {
            var (value, path) = pending.Pop();
            var type = value.GetType();
            if (!type.IsValueType && !visited.Add(value)) continue;
            reached.Add((value, path));
            if (IsRoslyn(type) || type.IsPrimitive || type.IsEnum || value is string || value is Type) continue;

            // (A default ImmutableArray, inside a default EquatableArray, which reads as empty, has nothing to walk.)
            bool defaultArray = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>)
                && (bool)type.GetProperty("IsDefault")!.GetValue(value)!;
            if (value is IEnumerable items && !defaultArray)
            {
                int i = 0;
                foreach (var item in items)
                {
                    if (item is not null) pending.Push((item, path + "[" + i + "]"));
                    i++;
                }
            }
            for (var t = type; t is not null; t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike) continue;
                    if (field.GetValue(value) is { } child) pending.Push((child, path + "." + field.Name));
                }
            }
        }
        return reached;
    }

    private static List<string> RoslynObjectsReachable(object root) =>
        Reachable(root).Where(r => IsRoslyn(r.Value.GetType())).Select(r => r.Path + ": " + r.Value.GetType().FullName).ToList();

    private const string Sample = """
        using System;
        using Backprop;

        namespace Demo;

        public static partial class Model
        {
            [Differentiable]
            public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

            [Differentiable]
            public static double Loss(double[] w, double unused, [NoDerivative] double[] x, [NoDerivative] double y)
            {
                double z = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    if (x[i] == 0) continue;
                    z += w[i] * x[i];
                }
                double a = Sigmoid(z);
                return a > y ? (a - y) * (a - y) : Math.Tanh(a - y);
            }

            [Differentiable]
            public static double Broken(double w)
            {
                foreach (var (a, b) in new[] { (1.0, 2.0) }) w += a * b;
                return w;
            }
        }
        """;

    private static object[] StepOutputs(string step)
    {
        var result = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Sample)).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Value).ToArray();
    }

    [Theory]
    [InlineData(TrackingNames.Models)]
    [InlineData(TrackingNames.Sources)]
    public void PipelineModelObjects_DoNotHoldRoslynObjects(string step)
    {
        var outputs = StepOutputs(step);
        Assert.Equal(3, outputs.Length);
        foreach (var output in outputs)
        {
            var problems = RoslynObjectsReachable(output);
            Assert.True(problems.Count == 0, "Roslyn objects held by a " + step + " output:\n" + string.Join("\n", problems));
        }
    }

    [Fact]
    public void PipelineModelObjects_AreWalkedThroughTheIrAndDiagnostics()
    {
        // The walk must see the IR and the diagnostics, or the hygiene test above would pass vacuously. The sample's
        // models carry loops, branches and calls, and located diagnostics (BPG016 on 'unused', BPG012 in Broken).
        var seen = StepOutputs(TrackingNames.Models).SelectMany(Reachable).Select(r => r.Value.GetType().Name).ToHashSet();
        foreach (var name in new[] { "IrLoop", "IrIf", "IrDifferentiableCall", "IrMathCall", "IrVariable", "DiagnosticInfo", "SourceLocation" })
            Assert.Contains(name, seen);
    }

    [Fact]
    public void ObjectWalk_CatchesALocationBehindAnAbstractNodeInACollection()
    {
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class C { }");
        var leaky = new LeakyModel("m", ImmutableArray.Create<LeakyNode>(new LeakyLeaf(1), new LeakyLocated(tree.GetRoot().GetLocation())));
        var problems = RoslynObjectsReachable(leaky);
        Assert.Single(problems);
        Assert.Contains("Location", problems[0], StringComparison.Ordinal);
    }
}
