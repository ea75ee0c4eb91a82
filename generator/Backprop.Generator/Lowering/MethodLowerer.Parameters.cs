using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Lowering;

/// <summary>The method's parameters: the variables of the IR (the rest of the declaration is checked by <see cref="Discovery.DeclarationParser"/>).</summary>
internal sealed partial class MethodLowerer
{
    /// <summary>Parameters already reported for their modifier (BPG003): an expression that reads one is not reported again.</summary>
    private readonly HashSet<IParameterSymbol> _reportedParameters = new(SymbolEqualityComparer.Default);

    private List<int> LowerParameters()
    {
        var ids = new List<int>();
        foreach (var parameter in _method.Parameters)
        {
            var location = parameter.Locations.FirstOrDefault() ?? _syntax.Identifier.GetLocation();
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                string modifier = parameter.IsParams ? "params" : parameter.RefKind switch
                {
                    RefKind.Ref => "ref",
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    _ => "ref readonly",
                };
                string advice = parameter.IsParams
                    ? "remove 'params' and pass a " + (parameter.Type is IArrayTypeSymbol ? "double[]" : "span") + " (callers write the values as an array or a collection expression)"
                    : parameter.RefKind is RefKind.Ref or RefKind.Out ? "pass it by value and return the result"
                    : "remove '" + modifier + "': the value is read only, and passed by value it is differentiated";
                Report(DiagnosticDescriptors.UnsupportedParameter, location, _method.Name, parameter.Name, modifier, advice);
                // Its uses are not reported again (they would only repeat this).
                _reportedParameters.Add(parameter);
                int reported = AddVariable(parameter.Name, TypeMapping.Map(parameter.Type) ?? IrType.Int32, VariableKind.Parameter, noDerivative: true, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _variableIds[parameter] = reported;
                _parameterLocations[reported] = location;
                ids.Add(reported);
                continue;
            }
            bool noDerivative = SymbolFacts.HasNoDerivative(parameter);
            var type = TypeMapping.Map(parameter.Type);
            if (!noDerivative && parameter.RefKind is RefKind.None && StructLayout.OfElements(parameter.Type) is { } elements)
            {
                // An array or span of structs of one floating-point type: the IR reads the flat view of its numbers.
                var (element, elementLayout, shape) = elements;
                int bufferId = AddVariable(parameter.Name, new IrType(elementLayout[0].Type.Scalar, shape), VariableKind.Parameter, false, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _names.Add(IrVariable.FlatName(_variables[bufferId].Name));
                _variables[bufferId] = _variables[bufferId] with { View = element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) };
                _variableIds[parameter] = bufferId;
                _structBuffers[parameter] = elementLayout;
                _parameterLocations[bufferId] = location;
                ids.Add(bufferId);
                _structParameters.Add(parameter);
                continue;
            }
            if (StructLayout.Of(parameter.Type) is { } layout && parameter.RefKind is RefKind.None)
            {
                // A struct of numbers: its fields are the variables (p.X), its gradient is an S of the same type.
                int structId = AddVariable(parameter.Name, IrType.Int32, VariableKind.Parameter, noDerivative: true, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _variableIds[parameter] = structId;
                _parameterLocations[structId] = location;
                ids.Add(structId);
                LowerStructParameter(parameter, layout, structId, noDerivative);
                continue;
            }
            if (!noDerivative && parameter.RefKind is RefKind.None && MatrixType(parameter.Type) is { } matrixType)
            {
                // A two-dimensional array: the IR reads the flat view of its elements, row by row; its gradient is a T[,].
                int matrixId = AddVariable(parameter.Name, matrixType, VariableKind.Parameter, false, parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                _names.Add(IrVariable.FlatName(_variables[matrixId].Name));
                _variables[matrixId] = _variables[matrixId] with { Rank = 2 };
                _variableIds[parameter] = matrixId;
                _parameterLocations[matrixId] = location;
                ids.Add(matrixId);
                string? mode = _forward ? "Forward" : _hessianLocation is not null ? "Hessian"
                    : _method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute && a.NamedArguments.Any(n => n.Key == "Jacobian" && n.Value.Value is true)) ? "Jacobian" : null;
                if (mode is not null)
                    Report(DiagnosticDescriptors.UnsupportedStatement, location, _method.Name,
                        mode + " = true with the two-dimensional array parameter '" + parameter.Name + "', not supported yet",
                        "remove " + mode + " = true, or pass its numbers as a flat ReadOnlySpan<" + matrixType.ScalarKeyword + ">, row by row");
                continue;
            }
            // A parameter is differentiated unless marked: one whose floating-point values the IR cannot carry (double[,],
            // double[][], List<double>, a struct of doubles) is an error, never silently a constant.
            if (type is null && !noDerivative && SymbolFacts.HoldsFloatingPoint(parameter.Type))
                Report(DiagnosticDescriptors.UndifferentiableParameterType, location, _method.Name, parameter.Name,
                    (parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) as Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax)?.Type?.ToString() ?? parameter.Type.ToDisplayString(),
                    SymbolFacts.FloatingPointElement(parameter.Type));
            int id = AddVariable(parameter.Name, type ?? IrType.Int32, VariableKind.Parameter, noDerivative || type is null, parameter.Type.ToDisplayString(type is null ? DataParameterFormat : SymbolDisplayFormat.FullyQualifiedFormat));
            _variableIds[parameter] = id;
            _parameterLocations[id] = location;
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>
    /// The type of a parameter of another type (data) as the generated methods declare it: fully qualified, <c>string?</c>
    /// and <c>List&lt;double&gt;?</c> kept, so that callers may pass null where the method takes it.
    /// </summary>
    private static readonly SymbolDisplayFormat DataParameterFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);
}
