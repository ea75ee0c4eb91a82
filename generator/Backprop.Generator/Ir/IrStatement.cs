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

/// <summary>What a statement kept as written (<see cref="IrKept"/>) is for: which sweeps run it.</summary>
internal enum KeptKind
{
    /// <summary>
    /// A call run for its side effect outside the method (<c>Console.WriteLine(x)</c>, <c>log.Add(x)</c> on a parameter):
    /// once per call of a generated method, in its forward sweep, never again when the sweep restarts on a larger tape,
    /// and not in the sweeps that compute second derivatives (<c>MHessianVectorProduct</c> and <c>MHessian</c> run it
    /// through the method itself).
    /// </summary>
    Effect,

    /// <summary>
    /// Part of the method's own computation on data of other types: the declaration or assignment of a local of a type
    /// the IR does not model (<c>var list = new List&lt;int&gt;();</c>), an assignment of such a parameter itself
    /// (<c>name = name.Trim();</c>), or a call that changes one (<c>list.Add(3)</c>). It runs wherever the forward
    /// computation runs.
    /// </summary>
    Data,

    /// <summary>
    /// The working copy of a buffer parameter that a method returning a value writes into, copied back into the parameter
    /// (<c>pCopy.CopyTo(p)</c>, see <c>MethodLowerer.WrittenParameters.cs</c>): the last statement of the forward sweep,
    /// printed after anything that could restart it on a larger tape (which would copy the changed buffer again), and, like
    /// an effect, not in the sweeps that compute second derivatives.
    /// </summary>
    WriteBack,
}

/// <summary>
/// A statement kept as the user wrote it (issue 16), <paramref name="Text"/> without its semicolon, with the method's
/// variables re-spelled as the generated code names them. It carries no derivative and is never reversed: every mode
/// runs it as a plain forward statement (see <see cref="KeptKind"/>).
/// </summary>
/// <param name="Operands">The IR variables the statement reads, so that what-to-record and unread-assignment pruning see the reads.</param>
/// <param name="Writes">The locals (<see cref="VariableKind.Data"/>) and parameters of other types it declares or may change.</param>
/// <param name="Removable">
/// It only gives its locals a constant value (or none): dropped, with them, where nothing reads them any more (a sweep
/// without the side effects that read them), since C# warns about such a local.
/// </param>
internal sealed record IrKept(SourceRef Source, string Text, EquatableArray<IrExpression> Operands, KeptKind Kind, EquatableArray<int> Writes, bool Removable = false) : IrStatement(Source);

internal sealed record IrBreak(SourceRef Source) : IrStatement(Source);

internal sealed record IrContinue(SourceRef Source) : IrStatement(Source);
