using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Rewrites <c>return</c>, <c>break</c> and <c>continue</c> into structured code: the result variable, boolean
/// exit flags, guarded remainders and loop conditions. Afterwards every block runs from top to bottom, so the
/// reverse sweep only has to replay recorded branch decisions and trip counts.
/// </summary>
/// <remarks>
/// A branch that always exits takes the rest of the block into its other arm (<c>if (c) return a; return b;</c>
/// becomes <c>if (c) result = a; else result = b;</c>); other exits set a flag that guards what follows.
/// Flags nobody reads are dropped at the end.
/// </remarks>
internal sealed class ControlFlowNormalizer
{
    private readonly List<IrVariable> _variables;
    private readonly HashSet<string> _names;
    private readonly int _result;
    private readonly Stack<LoopFlags> _loops = new();
    private int? _returned;

    private ControlFlowNormalizer(IrMethod method)
    {
        _variables = method.Variables.ToList();
        _names = new HashSet<string>(_variables.Select(v => v.Name));
        _result = method.Result;
    }

    public static IrMethod Normalize(IrMethod method)
    {
        var normalizer = new ControlFlowNormalizer(method);
        var body = normalizer.Block(method.Body.ToList());
        if (normalizer._returned is { } returned)
            body.Insert(0, new IrAssign(SourceRef.None, returned, False, IsDeclaration: true));
        var pruned = UnreadAssignments.Prune(body, normalizer._variables, method.Result);
        return method with { Variables = normalizer._variables.ToEquatableArray(), Body = pruned.ToEquatableArray() };
    }

    private static readonly IrConstant True = IrConstant.Bool(true);
    private static readonly IrConstant False = IrConstant.Bool(false);

    private List<IrStatement> Block(List<IrStatement> statements)
    {
        var output = new List<IrStatement>();
        for (int i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            var rest = statements.Skip(i + 1).ToList();
            if (statement is IrIf branch && rest.Count > 0)
            {
                bool thenExits = AlwaysExits(branch.Then), elseExits = AlwaysExits(branch.Else);
                if (thenExits && !elseExits)
                {
                    output.Add(branch with { Then = Block(branch.Then.ToList()).ToEquatableArray(), Else = Block(branch.Else.Concat(rest).ToList()).ToEquatableArray() });
                    return output;
                }
                if (elseExits && !thenExits)
                {
                    output.Add(branch with { Then = Block(branch.Then.Concat(rest).ToList()).ToEquatableArray(), Else = Block(branch.Else.ToList()).ToEquatableArray() });
                    return output;
                }
            }

            output.AddRange(Statement(statement));
            if (AlwaysExits(new[] { statement })) return output;

            var flags = ExitFlags(statement);
            if (flags.Count > 0 && rest.Count > 0)
            {
                var remainder = Block(rest);
                if (remainder.Count > 0)
                    output.Add(new IrIf(SourceRef.None, NoneSet(flags), remainder.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
                return output;
            }
        }
        return output;
    }

    private IEnumerable<IrStatement> Statement(IrStatement statement)
    {
        switch (statement)
        {
            case IrReturn ret:
                if (ret.Value is not null) yield return new IrAssign(ret.Source, _result, ret.Value);
                yield return new IrAssign(ret.Source, Returned(), True);
                foreach (var loop in _loops) loop.Returns = true;
                break;
            case IrBreak b:
                yield return new IrAssign(b.Source, _loops.Peek().Break(this), True);
                break;
            case IrContinue c:
                yield return new IrAssign(c.Source, _loops.Peek().Continue(this), True);
                break;
            case IrIf branch:
                yield return branch with { Then = Block(branch.Then.ToList()).ToEquatableArray(), Else = Block(branch.Else.ToList()).ToEquatableArray() };
                break;
            case IrLoop loop:
                foreach (var s in Loop(loop)) yield return s;
                break;
            default:
                yield return statement;
                break;
        }
    }

    private IEnumerable<IrStatement> Loop(IrLoop loop)
    {
        var flags = new LoopFlags();
        _loops.Push(flags);
        var body = Block(loop.Body.ToList());
        var step = Block(loop.Step.ToList());
        _loops.Pop();

        var stops = new List<int>();
        if (flags.BreakFlag is { } brk) stops.Add(brk);
        if (flags.Returns) stops.Add(Returned());
        if (flags.ContinueFlag is { } cont)
            body.Insert(0, new IrAssign(SourceRef.None, cont, False));
        if (stops.Count > 0 && step.Count > 0)
            step = new List<IrStatement> { new IrIf(SourceRef.None, NoneSet(stops), step.ToEquatableArray(), EquatableArray<IrStatement>.Empty) };

        IrExpression? condition = loop.Condition;
        if (stops.Count > 0)
            condition = condition is null ? NoneSet(stops) : new IrBinary(IrType.Boolean, BinaryOperator.And, NoneSet(stops), condition);

        if (flags.BreakFlag is { } reset)
            yield return new IrAssign(SourceRef.None, reset, False);
        yield return loop with { Condition = condition, Body = body.ToEquatableArray(), Step = step.ToEquatableArray() };
    }

    /// <summary>True when control never falls out of the end of the block.</summary>
    private static bool AlwaysExits(IEnumerable<IrStatement> block)
    {
        var last = block.LastOrDefault();
        return last switch
        {
            IrReturn or IrBreak or IrContinue => true,
            IrIf branch => AlwaysExits(branch.Then) && AlwaysExits(branch.Else),
            _ => false,
        };
    }

    /// <summary>The flags a lowered statement may have set that the rest of its block must respect.</summary>
    private List<int> ExitFlags(IrStatement original)
    {
        var flags = new List<int>();
        void Walk(IrStatement s, int depth)
        {
            switch (s)
            {
                case IrReturn:
                    if (!flags.Contains(Returned())) flags.Add(Returned());
                    break;
                case IrBreak when depth == 0:
                    if (_loops.Peek().BreakFlag is { } b && !flags.Contains(b)) flags.Add(b);
                    break;
                case IrContinue when depth == 0:
                    if (_loops.Peek().ContinueFlag is { } c && !flags.Contains(c)) flags.Add(c);
                    break;
                case IrIf branch:
                    foreach (var x in branch.Then) Walk(x, depth);
                    foreach (var x in branch.Else) Walk(x, depth);
                    break;
                case IrLoop loop:
                    foreach (var x in loop.Body) Walk(x, depth + 1);
                    foreach (var x in loop.Step) Walk(x, depth + 1);
                    break;
            }
        }
        Walk(original, 0);
        return flags;
    }

    private int Returned() => _returned ??= NewFlag("returned");

    private int NewFlag(string name)
    {
        string unique = name;
        for (int i = 2; !_names.Add(unique); i++) unique = name + i;
        var variable = new IrVariable(_variables.Count, unique, IrType.Boolean, VariableKind.Synthetic, true, "bool");
        _variables.Add(variable);
        return variable.Id;
    }

    private IrExpression NoneSet(List<int> flags)
    {
        IrExpression? any = null;
        foreach (var flag in flags)
        {
            var read = new IrRead(IrType.Boolean, flag);
            any = any is null ? read : new IrBinary(IrType.Boolean, BinaryOperator.Or, any, read);
        }
        return new IrUnary(IrType.Boolean, UnaryOperator.Not, any!);
    }

    private sealed class LoopFlags
    {
        public int? BreakFlag { get; private set; }

        public int? ContinueFlag { get; private set; }

        public bool Returns { get; set; }

        public int Break(ControlFlowNormalizer owner) => BreakFlag ??= owner.NewFlag("broke");

        public int Continue(ControlFlowNormalizer owner) => ContinueFlag ??= owner.NewFlag("continued");
    }
}
