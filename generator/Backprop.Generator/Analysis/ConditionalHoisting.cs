using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Turns every real-valued conditional whose arms compute something (<c>y = c ? Math.Exp(w[k] * x) * x : x</c>) into a
/// branch that assigns a temporary (<c>if (c) choice = …; else choice = x; y = choice;</c>), so that the gradient, like
/// the method, evaluates only the arm the condition selects: the forward sweep keeps intermediate values of an arm
/// inside its branch, and the reverse sweep replays the recorded decision. Without this the values an arm's derivative
/// needs were computed before the choice, for both arms (an index out of range, a division by zero, <c>Math.Sign(NaN)</c>).
/// </summary>
/// <remarks>
/// Only arithmetic contexts are rewritten, where C# evaluates every operand anyway: a conditional inside a boolean
/// expression (<c>&amp;&amp;</c> may skip it), in the condition of another conditional or in an arm of an integer
/// conditional stays where it is (it cannot carry a derivative there). Conditionals whose arms are plain reads and
/// constants need nothing kept and stay inline (<c>x &gt; 0 ? x : 0</c>).
/// </remarks>
internal sealed class ConditionalHoisting
{
    private readonly List<IrVariable> _variables;
    private readonly HashSet<string> _names;
    private readonly Action<IrExpression, IrExpression> _replaced;

    private ConditionalHoisting(IrMethod method, Action<IrExpression, IrExpression> replaced)
    {
        _variables = method.Variables.ToList();
        _names = new HashSet<string>(_variables.Select(v => Identifiers.Bare(v.Name)));
        _replaced = replaced;
    }

    /// <param name="replaced">Told of every rebuilt node (old, new), so that what is known about the old one carries over.</param>
    public static IrMethod Apply(IrMethod method, Action<IrExpression, IrExpression> replaced)
    {
        var hoisting = new ConditionalHoisting(method, replaced);
        var body = hoisting.Block(method.Body);
        return method with { Variables = hoisting._variables.ToEquatableArray(), Body = body.ToEquatableArray() };
    }

    private List<IrStatement> Block(IEnumerable<IrStatement> statements)
    {
        var output = new List<IrStatement>();
        foreach (var statement in statements) Statement(statement, output);
        return output;
    }

    private void Statement(IrStatement statement, List<IrStatement> output)
    {
        switch (statement)
        {
            case IrAssign assign:
                output.Add(assign with { Value = Hoist(assign.Value, assign.Source, output) });
                break;
            case IrStore store:
                var index = Hoist(store.Index, store.Source, output);
                output.Add(store with { Index = index, Value = Hoist(store.Value, store.Source, output) });
                break;
            case IrReturn { Value: { } value } ret:
                output.Add(ret with { Value = Hoist(value, ret.Source, output) });
                break;
            case IrCallStatement call:
                var arguments = call.Arguments.Select(a => Hoist(a, call.Source, output)).ToEquatableArray();
                output.Add(call with { Arguments = arguments });
                break;
            case IrIf branch:
                output.Add(branch with { Then = Block(branch.Then).ToEquatableArray(), Else = Block(branch.Else).ToEquatableArray() });
                break;
            case IrLoop loop:
                output.Add(loop with { Body = Block(loop.Body).ToEquatableArray(), Step = Block(loop.Step).ToEquatableArray() });
                break;
            default:
                output.Add(statement);
                break;
        }
    }

    /// <summary>The expression with its computing conditionals replaced by temporaries that <paramref name="before"/> assigns.</summary>
    private IrExpression Hoist(IrExpression expression, SourceRef source, List<IrStatement> before)
    {
        if (expression.Type.Scalar == ScalarKind.Boolean) return expression;
        IrExpression Child(IrExpression child) => Hoist(child, source, before);
        IrExpression rebuilt = expression switch
        {
            IrConditional { Type.IsReal: true } c when !IsPlain(c.WhenTrue) || !IsPlain(c.WhenFalse) => Branch(c, source, before),
            IrConditional => expression,
            IrElement e => e with { Index = Child(e.Index) },
            IrUnary u => u with { Operand = Child(u.Operand) },
            IrBinary b => b with { Left = Child(b.Left), Right = Child(b.Right) },
            IrConvert c => c with { Operand = Child(c.Operand) },
            IrMathCall m => m with { Arguments = m.Arguments.Select(Child).ToEquatableArray() },
            IrOpaqueCall o => o with { Arguments = o.Arguments.Select(Child).ToEquatableArray() },
            IrDifferentiableCall d => d with { Arguments = d.Arguments.Select(Child).ToEquatableArray() },
            _ => expression,
        };
        if (rebuilt.Equals(expression)) return expression;
        _replaced(expression, rebuilt);
        return rebuilt;
    }

    private IrExpression Branch(IrConditional conditional, SourceRef source, List<IrStatement> before)
    {
        // A constant condition (a folded pattern) chooses now: a branch on it would be unreachable code (CS0162).
        if (conditional.Condition is IrConstant constant)
            return Hoist(constant.Truth == true ? conditional.WhenTrue : conditional.WhenFalse, source, before);
        int choice = NewVariable("choice", conditional.Type);
        var whenTrue = new List<IrStatement>();
        var whenFalse = new List<IrStatement>();
        whenTrue.Add(new IrAssign(source, choice, Hoist(conditional.WhenTrue, source, whenTrue)));
        whenFalse.Add(new IrAssign(source, choice, Hoist(conditional.WhenFalse, source, whenFalse)));
        before.Add(new IrIf(source, conditional.Condition, whenTrue.ToEquatableArray(), whenFalse.ToEquatableArray()));
        return new IrRead(conditional.Type, choice);
    }

    /// <summary>
    /// An arm whose derivative needs no value kept: a variable, a constant, a field, an element (its index is evaluated
    /// only where the arm is, in the forward sweep and in the reverse sweep's branch alike), a conversion or negation of
    /// one, or a conditional between such arms.
    /// </summary>
    private static bool IsPlain(IrExpression arm) => arm switch
    {
        IrRead or IrConstant or IrExternal or IrElement or IrLength => true,
        IrConvert c => IsPlain(c.Operand),
        IrUnary u => IsPlain(u.Operand),
        IrConditional c => IsPlain(c.WhenTrue) && IsPlain(c.WhenFalse),
        _ => false,
    };

    private int NewVariable(string name, IrType type)
    {
        _variables.Add(new IrVariable(_variables.Count, Identifiers.Reserve(_names, name), type, VariableKind.Synthetic, false, type.Keyword));
        return _variables.Count - 1;
    }
}
