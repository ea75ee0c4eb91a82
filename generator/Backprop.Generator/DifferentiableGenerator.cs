using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Discovery;
using Backprop.Generator.Pipeline;
using Backprop.Generator.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator;

/// <summary>Emits a reverse-mode gradient and pullback next to every method marked <c>[Differentiable]</c>.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Discover and lower: each [Differentiable] method becomes an equatable model of our IR plus its
        // diagnostics (lowering, control-flow normalization, support gate). Nothing of Roslyn survives.
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Backprop.DifferentiableAttribute",
                static (node, _) => node is MethodDeclarationSyntax,
                MethodModelBuilder.Build)
            .WithTrackingName(TrackingNames.Models);

        // Differentiate and emit: activity analysis, reverse mode, C# text.
        var sources = models
            .Select(SourceBuilder.Build)
            .WithTrackingName(TrackingNames.Sources);

        context.RegisterSourceOutput(sources, static (output, source) =>
        {
            foreach (var diagnostic in source.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (source.Text is not null) output.AddSource(source.HintName, source.Text);
        });

        // [Differentiable] on a local function: its derivatives would have no type to live in (BPG007), never silently nothing.
        var localFunctions = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Backprop.DifferentiableAttribute",
                static (node, _) => node is LocalFunctionStatementSyntax,
                static (context, _) => Diagnostics.DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.LocalFunction,
                    ((LocalFunctionStatementSyntax)context.TargetNode).Identifier.GetLocation(), context.TargetSymbol.Name));
        context.RegisterSourceOutput(localFunctions, static (output, diagnostic) => output.ReportDiagnostic(diagnostic.ToDiagnostic()));

        // Unmarked callees: differentiated for the marked methods that call them, emitted once each (by hint name).
        var helpers = models
            .SelectMany(static (model, _) => model.Method is { } method ? method.Helpers : Helpers.EquatableArray<Ir.IrMethod>.Empty)
            .Collect()
            .SelectMany(static (all, _) => all.GroupBy(h => h.Shape.HintName).OrderBy(g => g.Key, System.StringComparer.Ordinal)
                .Select(g => new MethodModel(g.First().Shape.Name, g.First(), Helpers.EquatableArray<Diagnostics.DiagnosticInfo>.Empty)).ToImmutableArray())
            .Select(SourceBuilder.Build)
            .WithTrackingName(TrackingNames.Helpers);

        context.RegisterSourceOutput(helpers, static (output, source) =>
        {
            if (source.Text is not null) output.AddSource(source.HintName, source.Text);
        });

        // Model classes: one AddParameters per class with [Differentiable] instance methods, however many it has.
        var registrations = models
            .Select(static (model, _) => model.Registration)
            .Where(static registration => registration is not null)
            .Collect()
            .SelectMany(static (all, _) => all.Distinct().OrderBy(r => r!.HintName, System.StringComparer.Ordinal).ToImmutableArray())
            .WithTrackingName(TrackingNames.Registrations);

        context.RegisterSourceOutput(registrations, static (output, registration) =>
            output.AddSource(registration!.HintName, RegistrationEmitter.Emit(registration)));
    }
}

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
public static class TrackingNames
{
    public const string Models = nameof(Models);
    public const string Sources = nameof(Sources);
    public const string Registrations = nameof(Registrations);
    public const string Helpers = nameof(Helpers);
}
