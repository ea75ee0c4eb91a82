using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>One diagnostic per unsupported construct, located on its syntax; lowering continues after each.</summary>
internal sealed partial class MethodLowerer
{
    private void ReportUnsupportedStatement(IOperation operation)
    {
        var location = operation.Syntax.GetLocation();
        switch (operation)
        {
            case ITryOperation:
                Report(DiagnosticDescriptors.ExceptionHandling, FirstToken(operation), "try");
                break;
            case IUsingOperation or IUsingDeclarationOperation:
                Report(DiagnosticDescriptors.ExceptionHandling, FirstToken(operation), "using");
                break;
            case ILockOperation:
                Report(DiagnosticDescriptors.ExceptionHandling, FirstToken(operation), "lock");
                break;
            case IBranchOperation { BranchKind: BranchKind.GoTo }:
                Report(DiagnosticDescriptors.Goto, location, "goto");
                break;
            case ILabeledOperation:
                Report(DiagnosticDescriptors.Goto, FirstToken(operation), "labeled");
                break;
            case IForEachLoopOperation loop:
                var collection = WithoutConversions(loop.Collection);
                Report(DiagnosticDescriptors.ForEach, FirstToken(operation), collection.Type?.ToDisplayString() ?? "?", ForEachLimit(loop));
                break;
            case IThrowOperation:
                Report(DiagnosticDescriptors.Throw, location);
                break;
            case IReturnOperation { ReturnedValue: null }:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, Text(operation), "a return without a value", "return the value");
                break;
            // Other calls run as written (MethodLowerer.Kept.cs); a derivative computed for nothing is a mistake.
            case IInvocationOperation invocation:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, Text(operation),
                    "a call of '" + invocation.TargetMethod.Name + "', whose derivative the generator would compute, with its result discarded", "use its result, or remove the call");
                break;
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, location, Text(operation), Describe(operation), "rewrite it with declarations, assignments, if/else, loops and return");
                break;
        }
    }

    private void ReportUnsupportedExpression(IOperation operation, string? what = null, string? instead = null)
    {
        if (_reportedParameters.Count > 0 && operation.DescendantsAndSelf().Any(o => o is IParameterReferenceOperation p && _reportedParameters.Contains(p.Parameter))) return;
        var location = operation.Syntax.GetLocation();
        switch (operation)
        {
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                Report(DiagnosticDescriptors.Lambda, location);
                return;
            case ISwitchExpressionOperation:
                Report(DiagnosticDescriptors.Switch, location, "switch expression", "it chooses between buffers", "choose the buffer with if/else");
                return;
            case IThrowOperation:
                Report(DiagnosticDescriptors.Throw, location);
                return;
            case IAssignmentOperation or IIncrementOrDecrementOperation when what is null:
                Report(DiagnosticDescriptors.UnsupportedExpression, location, Text(operation), "an assignment used as a value", "assign in its own statement");
                return;
            case IInvocationOperation invocation when what is null:
                Report(DiagnosticDescriptors.UnknownCall, location, invocation.TargetMethod.ContainingType?.Name + "." + invocation.TargetMethod.Name, CallAdvice(invocation.TargetMethod));
                return;
            // The array C# builds for a 'params' callee: the problem is the callee's signature, said as such.
            case IArrayCreationOperation { IsImplicit: true } when what is null && operation.Parent is IArgumentOperation { Parent: IInvocationOperation packed }:
                what = "a call of '" + packed.TargetMethod.Name + "', which packs its arguments into a 'params' array";
                instead ??= "give '" + packed.TargetMethod.Name + "' one parameter per value, or a ReadOnlySpan<double> parameter and pass a buffer";
                break;
            // A buffer converted to IEnumerable<T> for LINQ (w.Sum(), w.Select(...)): name the LINQ call.
            case IConversionOperation { IsImplicit: true } when what is null && operation.Parent is IArgumentOperation { Parent: IInvocationOperation linq }
                && linq.TargetMethod.ContainingType?.ToDisplayString() == "System.Linq.Enumerable":
                Report(DiagnosticDescriptors.UnsupportedExpression, linq.Syntax.GetLocation(), Text(linq), "the LINQ call '" + linq.TargetMethod.Name + "' on differentiated values",
                    "write it as a loop over the buffer (LINQ on [NoDerivative] data is fine), or use Backprop.Ops (Ops.Sum, Ops.Dot, Ops.LogSumExp)");
                return;
        }
        Report(DiagnosticDescriptors.UnsupportedExpression, location, Text(operation),
            what ?? Describe(operation),
            instead ?? "use arithmetic, comparisons, conversions, System.Math calls, conditionals, element reads or calls of [Differentiable] methods");
    }

    private static Location FirstToken(IOperation operation) => operation.Syntax.GetFirstToken().GetLocation();

    /// <summary>What the expression is, in the words of C# rather than of Roslyn's operation kinds.</summary>
    private static string Describe(IOperation operation)
    {
        string type = operation.Type is { } t ? SymbolFacts.Shown(t) : "";
        return operation switch
        {
            ILiteralOperation => type.Length > 0 ? "a literal of type '" + type + "'" : "a literal",
            IArrayCreationOperation => "a new array",
            IObjectCreationOperation => "a new '" + type + "'",
            IConversionOperation conversion => "a conversion to '" + type + "'" + (conversion.Operand.Type is { } from ? " from '" + from.ToDisplayString() + "'" : ""),
            IInterpolatedStringOperation => "an interpolated string",
            ITupleOperation => "a tuple",
            IDefaultValueOperation => "a default value",
            INameOfOperation => "a nameof expression",
            ITypeOfOperation => "a typeof expression",
            ISizeOfOperation => "a sizeof expression",
            IAwaitOperation => "an await",
            IWithOperation => "a with expression",
            IIsTypeOperation or IIsPatternOperation => "a type or pattern test",
            ICoalesceOperation => "a ?? expression",
            IConditionalAccessOperation => "a ?. expression",
            _ => type.Length > 0 ? "an expression of type '" + type + "'" : "this kind of expression",
        };
    }

    private static string Words(string pascal)
    {
        var builder = new System.Text.StringBuilder();
        foreach (char c in pascal)
        {
            if (char.IsUpper(c) && builder.Length > 0) builder.Append(' ');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    private static string Text(IOperation operation)
    {
        var text = operation.Syntax.ToString();
        text = string.Join(" ", text.Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
