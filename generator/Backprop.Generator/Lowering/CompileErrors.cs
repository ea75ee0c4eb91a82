using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Whether a method has compile errors of its own, which the generator must leave to the compiler. The compiler's own
/// answer (<c>SemanticModel.GetDiagnostics</c> over the method) binds the body a second time and runs flow analysis on
/// it, which was most of the generator's time; so a cheap screen comes first, over what the lowering binds anyway: parse
/// errors, error types in the signature, and invalid operations, error types and conversions that do not exist in the
/// body. Only a method the screen suspects, or whose lowering reports something, gets the compiler's answer. What the
/// screen cannot see (errors of flow analysis alone: an unassigned local, a missing return) produces derivative code
/// that compiles beside the compiler's own error, and no diagnostic of ours.
/// </summary>
internal static class CompileErrors
{
    /// <summary>Whether the method may have compile errors (false: it surely binds without error).</summary>
    public static bool Suspected(IMethodSymbol method, SyntaxNode syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        if (syntax.ContainsDiagnostics) return true;
        if (method.ReturnType is IErrorTypeSymbol || method.Parameters.Any(p => p.Type is IErrorTypeSymbol)) return true;
        if (model.GetOperation(syntax, cancellationToken) is not { } body) return true;
        foreach (var operation in body.DescendantsAndSelf())
        {
            if (operation.Kind == OperationKind.Invalid || operation.Type is IErrorTypeSymbol) return true;
            if (operation is IConversionOperation { Conversion.Exists: false }) return true;
        }
        return false;
    }

    /// <summary>The compiler's errors in the method (exact, and costly: the body is bound again and flow-analysed).</summary>
    public static List<Diagnostic> Of(SyntaxNode syntax, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetDiagnostics(syntax.Span, cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
}
