using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Discovery;

/// <summary>What the pipeline caches per method: the normalized IR (null when the method cannot be differentiated) and its diagnostics.</summary>
/// <param name="Registration">For an instance method of a class: what the class's generated <c>AddParameters</c> registers.</param>
/// <param name="Placeholder">For a method with errors whose derivatives are not generated: placeholders with their signatures (see <c>Pipeline/Placeholders</c>), or null.</param>
internal sealed record MethodModel(string DisplayName, IrMethod? Method, EquatableArray<DiagnosticInfo> Diagnostics, ModelRegistration? Registration = null, GeneratedSource? Placeholder = null);

/// <summary>One generated file and the diagnostics to report with it.</summary>
internal sealed record GeneratedSource(string HintName, string? Text, EquatableArray<DiagnosticInfo> Diagnostics);
