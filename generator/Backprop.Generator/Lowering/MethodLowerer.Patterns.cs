using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Patterns, switch expressions and switch statements, lowered to the conditions, conditional expressions and
/// if/else chains they mean. A pattern tests a pure input, so the input is simply read once per test.
/// </summary>
internal sealed partial class MethodLowerer
{
    private const string SupportedPatterns = "use constant and relational patterns (0, < 1.5), and, or, not, and the discard _";

    /// <summary>The boolean that <paramref name="pattern"/> matching <paramref name="input"/> means, or null (reported).</summary>
    private IrExpression? LowerPattern(IPatternOperation pattern, IrExpression input)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return IrConstant.Bool(true);
            case IConstantPatternOperation constant:
                if (constant.Value.ConstantValue is { HasValue: true, Value: double or float } value && IsNaN(value.Value))
                {
                    ReportUnsupportedExpression(pattern, "a NaN pattern (it matches NaN, which == never does)", "test double.IsNaN(x) instead");
                    return null;
                }
                return Compare(BinaryOperator.Equal, input, constant.Value);
            case IRelationalPatternOperation relational when BinaryOperatorOf(relational.OperatorKind) is { } op:
                return Compare(op, input, relational.Value);
            case INegatedPatternOperation negated:
                return LowerPattern(negated.Pattern, input) is { } inner ? Fold(Not(inner)) : null;
            case IBinaryPatternOperation binary:
                var left = LowerPattern(binary.LeftPattern, input);
                var right = LowerPattern(binary.RightPattern, input);
                if (left is null || right is null) return null;
                var combine = binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOperator.Or : BinaryOperator.And;
                return Fold(new IrBinary(IrType.Boolean, combine, left, right));
            default:
                ReportUnsupportedExpression(pattern, "a " + Words(pattern.Kind.ToString()).Replace(" pattern", "") + " pattern", SupportedPatterns);
                return null;
        }
    }

    private static bool IsNaN(object value) => value is double d ? double.IsNaN(d) : value is float f && float.IsNaN(f);

    private IrExpression? Compare(BinaryOperator op, IrExpression input, IOperation valueOperation)
    {
        var value = LowerExpression(valueOperation);
        if (value is null) return null;
        var operandType = Promote(input.Type, value.Type);
        return Fold(new IrBinary(IrType.Boolean, op, ConvertTo(input, operandType), ConvertTo(value, operandType)));
    }

    /// <summary>
    /// Tests of a constant (<c>0.0 switch { &lt; -0.5 =&gt; … }</c>) folded to true or false, as C# folds them in the
    /// user's code: emitted unfolded, they make the generated branches unreachable code (warning CS0162).
    /// </summary>
    private static IrExpression Fold(IrExpression test)
    {
        static bool? Truth(IrExpression e) => e is IrConstant { Truth: true } ? true : e is IrConstant { Truth: false } ? false : null;
        static double? Number(IrExpression e) => e is IrConstant { Truth: null } c ? c.Value : null;
        static IrExpression Constant(bool value) => IrConstant.Bool(value);
        switch (test)
        {
            case IrUnary { Operator: UnaryOperator.Not } not when Truth(not.Operand) is { } operand:
                return Constant(!operand);
            case IrBinary { Operator: BinaryOperator.And or BinaryOperator.Or } logic:
                bool and = logic.Operator == BinaryOperator.And;
                if (Truth(logic.Left) is { } left) return left == and ? logic.Right : Constant(left);
                if (Truth(logic.Right) is { } right && right == and) return logic.Left;
                return test;
            case IrBinary comparison when Number(comparison.Left) is { } a && Number(comparison.Right) is { } b:
                bool? result = comparison.Operator switch
                {
                    BinaryOperator.Less => a < b,
                    BinaryOperator.LessOrEqual => a <= b,
                    BinaryOperator.Greater => a > b,
                    BinaryOperator.GreaterOrEqual => a >= b,
                    BinaryOperator.Equal => a == b,
                    BinaryOperator.NotEqual => a != b,
                    _ => null,
                };
                return result is { } r ? Constant(r) : test;
            default:
                return test;
        }
    }

    /// <summary><c>v switch { p1 when g1 =&gt; a, p2 =&gt; b, _ =&gt; c }</c> is <c>p1(v) &amp;&amp; g1 ? a : p2(v) ? b : c</c>.</summary>
    private IrExpression? LowerSwitchExpression(ISwitchExpressionOperation switchExpression, IrType type)
    {
        // An enum, string or char input (data) is compared as written, arm by arm, as a switch statement's is.
        var data = TypeMapping.Map(switchExpression.Value.Type) is null && IsReadOnly(switchExpression.Value)
            ? Respell(switchExpression.Value.Syntax, switchExpression.Value, statement: false) : null;
        if (ReferenceEquals(data, Unspellable.Reported)) return null;
        var input = data is null ? LowerExpression(switchExpression.Value) : null;
        if (input is null && data is null) return null;
        if (!switchExpression.IsExhaustive || switchExpression.Arms.Length == 0)
        {
            // A value no arm matches throws at run time; the conditional chain needs a last arm that takes everything else.
            Report(DiagnosticDescriptors.Switch, switchExpression.Syntax.GetLocation(), "switch expression", "some values match no arm, and then it throws", "add a discard arm '_ => …' for them");
            return null;
        }
        IrExpression? result = null;
        bool ok = true;
        for (int k = switchExpression.Arms.Length - 1; k >= 0; k--)
        {
            var arm = switchExpression.Arms[k];
            var value = LowerExpression(arm.Value);
            // The switch is exhaustive, so the last arm matches whatever the others do not.
            var condition = result is null ? null
                : data is null ? ArmCondition(arm.Pattern, arm.Guard, input!)
                : DataArmCondition(arm.Pattern, arm.Guard, switchExpression.Value, data);
            if (value is null || (result is not null && condition is null))
            {
                ok = false;
                continue;
            }
            // A constant input folds the conditions to true or false, as C# folds them in the user's code. The arms stay,
            // so that what they read is still read (no unused variables); the reverse sweep follows the constant.
            // A pattern test of a constant is folded (as C# folds it): the arm is chosen now, not printed as 'true ? a : b'.
            result = result is null ? ConvertTo(value, type)
                : condition is IrConstant { Type.Scalar: ScalarKind.Boolean } decided ? (decided.Truth == true ? ConvertTo(value, type) : result)
                : new IrConditional(type, condition!, ConvertTo(value, type), result);
        }
        return ok ? result : null;
    }

    /// <summary>
    /// An arm's test of data (an enum, a string, a char) compared as written: constant patterns, combined with
    /// <c>or</c>, <c>and</c> and <c>not</c>, and a guard; any other pattern on data is reported.
    /// </summary>
    private IrExpression? DataArmCondition(IPatternOperation pattern, IOperation? guard, IOperation input, Respelled data)
    {
        IrExpression? Test(IPatternOperation p)
        {
            switch (p)
            {
                case IConstantPatternOperation constant:
                    return DataEquals(input, data, constant.Value);
                case IDiscardPatternOperation:
                    return IrConstant.Bool(true);
                case INegatedPatternOperation negated:
                    return Test(negated.Pattern) is { } inner ? Not(inner) : null;
                case IBinaryPatternOperation binary:
                    var left = Test(binary.LeftPattern);
                    var right = Test(binary.RightPattern);
                    return left is null || right is null ? null
                        : new IrBinary(IrType.Boolean, binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOperator.Or : BinaryOperator.And, left, right);
                default:
                    ReportUnsupportedExpression(p, "a pattern other than a constant on '" + OneLine(Code(input.Syntax)) + "', data the generator does not model",
                        "test it with constant patterns ('Mode.A or Mode.B =>') or in an if statement");
                    return null;
            }
        }
        var condition = Test(pattern);
        if (guard is null || condition is null) return condition;
        return LowerExpression(guard) is { } g ? Fold(new IrBinary(IrType.Boolean, BinaryOperator.And, condition, g)) : null;
    }

    private IrExpression? ArmCondition(IPatternOperation pattern, IOperation? guard, IrExpression input)
    {
        var condition = LowerPattern(pattern, input);
        if (guard is null || condition is null) return condition;
        return LowerExpression(guard) is { } g ? Fold(new IrBinary(IrType.Boolean, BinaryOperator.And, condition, g)) : null;
    }

    /// <summary><c>input == value</c> for a switch on data (an enum, a string, a char), kept as written.</summary>
    private IrExpression? DataEquals(IOperation input, Respelled spelled, IOperation value)
    {
        var label = Respell(value.Syntax, value, statement: false);
        if (label is null || ReferenceEquals(label, Unspellable.Reported)) return null;
        return Located(new IrVerbatim(IrType.Boolean, "(" + spelled.Text + ") == (" + label.Text + ")", OneLine(Code(input.Syntax)) + " == " + OneLine(Code(value.Syntax)),
            "it reads differentiated values through data the generator does not model; compute it from [NoDerivative] inputs, or cut the derivative with Ad.StopGradient",
            spelled.Operands.Concat(label.Operands).ToEquatableArray()), value);
    }

    /// <summary>
    /// A switch statement as the if/else chain it means: each section's labels or-ed together, the default section last.
    /// A section must end in <c>break</c> (dropped), <c>return</c> or <c>continue</c>; a <c>break</c> elsewhere in it is
    /// reported, because a <c>break</c> of the IR leaves loops, not switches.
    /// </summary>
    private void LowerSwitchStatement(ISwitchOperation switchStatement, ImmutableArray<IrStatement>.Builder output)
    {
        // An enum, string or char input (data) is compared as written, case by case; assignments in the input
        // (switch (r = f(x))) run just before the switch.
        var data = TypeMapping.Map(switchStatement.Value.Type) is null && IsReadOnly(switchStatement.Value)
            ? Respell(switchStatement.Value.Syntax, switchStatement.Value, statement: false) : null;
        if (ReferenceEquals(data, Unspellable.Reported)) return;
        IrExpression? input = null;
        if (data is null)
        {
            var (lowered, before) = LowerCondition(switchStatement.Value, Header(switchStatement.Syntax));
            output.AddRange(before);
            input = lowered;
        }
        var sections = new List<(IrExpression? Condition, ImmutableArray<IrStatement> Body, SourceRef Labels)>();
        ImmutableArray<IrStatement>? fallback = null;
        bool ok = input is not null || data is not null;
        foreach (var section in switchStatement.Cases)
        {
            var body = SectionBody(switchStatement, section, new HashSet<ISwitchCaseOperation>());
            if (body is null)
            {
                ok = false;
                continue;
            }
            foreach (var inner in body.SelectMany(s => s.DescendantsAndSelf()).OfType<IBranchOperation>().Where(b => IsSwitchExit(b, switchStatement)))
            {
                Report(DiagnosticDescriptors.Switch, inner.Syntax.GetLocation(), "switch section", "it breaks before its end", "end the section with its only break, and guard what comes before it with if/else");
                ok = false;
            }

            var statements = ImmutableArray.CreateBuilder<IrStatement>();
            _depth++;
            foreach (var statement in body) LowerStatement(statement, statements);
            _depth--;

            IrExpression? condition = null;
            bool isDefault = false;
            foreach (var clause in section.Clauses)
            {
                IrExpression? test = clause switch
                {
                    IDefaultCaseClauseOperation => null,
                    ISingleValueCaseClauseOperation single when input is not null => Compare(BinaryOperator.Equal, input, single.Value),
                    ISingleValueCaseClauseOperation single when data is not null => DataEquals(switchStatement.Value, data, single.Value),
                    IPatternCaseClauseOperation patternClause when input is not null => ArmCondition(patternClause.Pattern, patternClause.Guard, input),
                    IRelationalCaseClauseOperation relational when input is not null && BinaryOperatorOf(relational.Relation) is { } op => Compare(op, input, relational.Value),
                    _ => null,
                };
                if (clause is IDefaultCaseClauseOperation)
                {
                    isDefault = true;
                    continue;
                }
                if (test is null)
                {
                    ok = false;
                    continue;
                }
                condition = condition is null ? test : Fold(new IrBinary(IrType.Boolean, BinaryOperator.Or, condition, test));
            }
            // A section with the default label runs whenever no other section matches, wherever it stands.
            if (isDefault) fallback = statements.ToImmutable();
            else sections.Add((condition, statements.ToImmutable(), Labels(section)));
        }
        if (!ok) return;

        var chain = fallback ?? ImmutableArray<IrStatement>.Empty;
        for (int k = sections.Count - 1; k >= 0; k--)
        {
            // With a constant input the conditions fold to true or false: the section is chosen or skipped now (C# does
            // not warn about the user's switch, and an 'if (false)' in the generated code would be CS0162).
            if (sections[k].Condition is IrConstant { Type.Scalar: ScalarKind.Boolean } decided)
            {
                if (decided.Truth == true) chain = sections[k].Body;
                continue;
            }
            var branch = new IrIf(sections[k].Labels, sections[k].Condition!, sections[k].Body.ToEquatableArray(), chain.ToEquatableArray());
            chain = ImmutableArray.Create<IrStatement>(branch);
        }
        output.AddRange(chain);
    }

    /// <summary>
    /// A section's statements without its final <c>break</c>; a final <c>goto case</c> or <c>goto default</c> is replaced by
    /// the statements of the section it jumps to (followed the same way), which is what the jump runs. A cycle of jumps
    /// is reported (BPG009), and null returned.
    /// </summary>
    private readonly HashSet<ISwitchOperation> _gotoCycles = new();

    private List<IOperation>? SectionBody(ISwitchOperation switchStatement, ISwitchCaseOperation section, HashSet<ISwitchCaseOperation> visited)
    {
        visited.Add(section);
        var body = section.Body.ToList();
        if (body.Count > 0 && body[body.Count - 1] is IBranchOperation last && IsSwitchExit(last, switchStatement)) body.RemoveAt(body.Count - 1);
        if (body.Count == 0 || body[body.Count - 1] is not IBranchOperation { BranchKind: BranchKind.GoTo } jump) return body;
        var target = switchStatement.Cases.FirstOrDefault(c => c.Clauses.Any(clause => SymbolEqualityComparer.Default.Equals(clause.Label, jump.Target)));
        if (target is null) return body;   // a goto to another label: reported as any goto
        if (visited.Contains(target))
        {
            // Once per switch, at the first jump back found (sections in source order).
            if (_gotoCycles.Add(switchStatement))
                Report(DiagnosticDescriptors.Goto, jump.Syntax.GetLocation(), "goto case that jumps back to a section it came from");
            return null;
        }
        body.RemoveAt(body.Count - 1);
        var rest = SectionBody(switchStatement, target, visited);
        if (rest is null) return null;
        body.AddRange(rest);
        return body;
    }

    /// <summary>The section's labels as the comment of its test: <c>switch (mode) case 1: case 2:</c>.</summary>
    private SourceRef Labels(ISwitchCaseOperation section) =>
        section.Syntax is SwitchSectionSyntax syntax && syntax.Parent is SwitchStatementSyntax parent
            ? new SourceRef(Line(syntax), OneLine("switch (" + Code(parent.Expression) + ") " + string.Join(" ", syntax.Labels.Select(l => Code(l)))))
            : Source(section.Syntax);

    private static bool IsSwitchExit(IBranchOperation branch, ISwitchOperation switchStatement) =>
        branch.BranchKind == BranchKind.Break && SymbolEqualityComparer.Default.Equals(branch.Target, switchStatement.ExitLabel);
}
