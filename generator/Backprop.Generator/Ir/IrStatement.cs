using Backprop.Generator.Helpers;

namespace Backprop.Generator.Ir;

/// <summary>Where a statement came from, for the comments of the emitted code.</summary>
/// <param name="Line">One-based line in the source file.</param>
/// <param name="Text">The statement's source text on one line.</param>
internal sealed record SourceRef(int Line, string Text)
{
    public static readonly SourceRef None = new(0, "");
}

internal abstract record IrStatement(SourceRef Source);

/// <summary><c>variable = value</c>; <paramref name="IsDeclaration"/> when it is the variable's declaration.</summary>
internal sealed record IrAssign(SourceRef Source, int Variable, IrExpression Value, bool IsDeclaration = false) : IrStatement(Source);

/// <summary><c>buffer[index] = value</c>.</summary>
internal sealed record IrStore(SourceRef Source, int Buffer, IrExpression Index, IrExpression Value) : IrStatement(Source);

internal sealed record IrIf(SourceRef Source, IrExpression Condition, EquatableArray<IrStatement> Then, EquatableArray<IrStatement> Else) : IrStatement(Source);

/// <summary>
/// A loop: while <paramref name="Condition"/> (null means <c>true</c>) run <paramref name="Body"/> then <paramref name="Step"/>.
/// <c>for</c>, <c>while</c> and <c>do</c> all lower to it (the initializer of a <c>for</c> precedes it).
/// </summary>
internal sealed record IrLoop(SourceRef Source, IrExpression? Condition, EquatableArray<IrStatement> Body, EquatableArray<IrStatement> Step) : IrStatement(Source);

/// <summary><c>return value;</c>, or <c>return;</c> in a layer (value null).</summary>
internal sealed record IrReturn(SourceRef Source, IrExpression? Value) : IrStatement(Source);

/// <summary>A call of a layer: a <c>[Differentiable]</c> void method that writes its results into span arguments.</summary>
internal sealed record IrCallStatement(SourceRef Source, CalleeInfo Callee, EquatableArray<IrExpression> Arguments) : IrStatement(Source);

internal sealed record IrBreak(SourceRef Source) : IrStatement(Source);

internal sealed record IrContinue(SourceRef Source) : IrStatement(Source);
