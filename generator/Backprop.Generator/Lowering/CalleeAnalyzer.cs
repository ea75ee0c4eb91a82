using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Backprop.Generator.Lowering;

/// <summary>
/// How the lowerer gets the IR of a method it calls: analysed by the pipeline as any method is (cached per compilation),
/// passed in so that lowering depends on no later stage. Null when the callee's own derivatives cannot be generated.
/// </summary>
/// <param name="frozen">The variant a call on a <c>[NoDerivative]</c> sub-module runs, whose members are data.</param>
/// <param name="cut">
/// Set when the callee is being analysed up the call chain (recursion): it was lowered for its shape only, and the
/// caller's analysis depends on that chain.
/// </param>
internal delegate IrMethod? CalleeAnalyzer(IMethodSymbol definition, MethodDeclarationSyntax syntax, SemanticModel model, bool frozen, out bool cut);
