using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Backprop.Generator.Lowering;
using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Analysis;

/// <summary>
/// Decides, on the normalized IR, whether the method can be differentiated: values that depend on
/// differentiated parameters must not reach the result through calls without a derivative. Also warns
/// about differentiated parameters that cannot influence the result.
/// </summary>
internal static class SupportGate
{
    public static void Check(IrMethod method, LoweringResult lowering, ActivityAnalysis activity, List<DiagnosticInfo> diagnostics)
    {
        var data = new DataFlow(method, activity, lowering);
        foreach (var statement in method.Body) Check(statement, activity, lowering, diagnostics, data);

        // An index computed from a differentiated value silently drops a derivative.
        var tainted = TaintedIntegers(method, activity);
        bool Tainted(IrExpression index)
        {
            bool found = ActivityAnalysis.SourcesAll(index).Overlaps(activity.Varied);
            IrWalker.VisitExpression(index, e => found |= e is IrRead r && tainted.Contains(r.Variable));
            return found;
        }
        var reported = new HashSet<Location>();
        void CheckIndex(IrExpression index)
        {
            if (Tainted(index) && lowering.IndexLocations.TryGetValue(index, out var location) && reported.Add(location))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ActiveIndex, location, location.SourceTree?.GetText().ToString(location.SourceSpan) ?? ""));
        }
        foreach (var statement in method.Body) VisitStores(statement, CheckIndex);
        foreach (var statement in method.Body)
            IrWalker.VisitStatement(statement, e =>
            {
                if (e is IrElement { Index: IrRowIndex position })
                {
                    CheckIndex(position.Row);
                    CheckIndex(position.Column);
                }
                else if (e is IrElement element) CheckIndex(element.Index);
            });

        foreach (int parameter in method.Parameters)
        {
            var variable = method.Variables[parameter];
            if (variable.IsDifferentiableParameter && !method.Outputs.Contains(parameter) && !activity.IsActive(parameter))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ZeroDerivative, lowering.ParameterLocations[parameter], method.Shape.Name, variable.Name));
        }
    }

    private static void VisitStores(IrStatement statement, System.Action<IrExpression> index)
    {
        switch (statement)
        {
            case IrStore store:
                index(store.Index);
                break;
            case IrIf i:
                foreach (var s in i.Then.Concat(i.Else)) VisitStores(s, index);
                break;
            case IrLoop l:
                foreach (var s in l.Body.Concat(l.Step)) VisitStores(s, index);
                break;
        }
    }

    /// <summary>Integer variables whose value depends on a differentiated value (<c>int k = (int)x;</c>).</summary>
    private static HashSet<int> TaintedIntegers(IrMethod method, ActivityAnalysis activity)
    {
        var assignments = new List<(int Variable, IrExpression Value)>();
        foreach (var statement in method.Body)
            Collect(statement);
        void Collect(IrStatement statement)
        {
            switch (statement)
            {
                case IrAssign a when !method.Variables[a.Variable].Type.IsReal:
                    assignments.Add((a.Variable, a.Value));
                    break;
                case IrIf i:
                    foreach (var s in i.Then.Concat(i.Else)) Collect(s);
                    break;
                case IrLoop l:
                    foreach (var s in l.Body.Concat(l.Step)) Collect(s);
                    break;
            }
        }
        var tainted = new HashSet<int>();
        for (bool changed = true; changed;)
        {
            changed = false;
            foreach (var (variable, value) in assignments)
            {
                if (tainted.Contains(variable)) continue;
                bool reads = ActivityAnalysis.SourcesAll(value).Overlaps(activity.Varied);
                IrWalker.VisitExpression(value, e => reads |= e is IrRead r && tainted.Contains(r.Variable));
                if (reads) changed |= tainted.Add(variable);
            }
        }
        return tainted;
    }

    private static void Check(IrStatement statement, ActivityAnalysis activity, LoweringResult lowering, List<DiagnosticInfo> diagnostics, DataFlow data)
    {
        switch (statement)
        {
            case IrAssign assign when activity.Useful.Contains(assign.Variable):
                CheckExpression(assign.Value, activity, lowering, diagnostics, data);
                break;
            case IrStore store when activity.Useful.Contains(store.Buffer):
                CheckExpression(store.Value, activity, lowering, diagnostics, data);
                break;
            case IrCallStatement call:
                foreach (var argument in call.Arguments) CheckExpression(argument, activity, lowering, diagnostics, data);
                bool outputsUseful = call.Arguments.Where((_, i) => call.Callee.OutputParameters[i]).Any(a => activity.Useful.Contains(IrSlice.BufferOf(a)));
                if (outputsUseful) CheckInactiveArguments(call.Callee, call.Arguments, activity, lowering, diagnostics);
                break;
            case IrIf branch:
                foreach (var s in branch.Then.Concat(branch.Else)) Check(s, activity, lowering, diagnostics, data);
                break;
            case IrLoop loop:
                foreach (var s in loop.Body.Concat(loop.Step)) Check(s, activity, lowering, diagnostics, data);
                break;
        }
    }

    /// <summary>Walks the derivative paths of a useful value; an opaque call on them with a varied argument loses a derivative.</summary>
    private static void CheckExpression(IrExpression expression, ActivityAnalysis activity, LoweringResult lowering, List<DiagnosticInfo> diagnostics, DataFlow data)
    {
        if (expression is IrVerbatim verbatim && expression.Type.IsReal)
        {
            lowering.ExpressionLocations.TryGetValue(verbatim, out var location);
            if (verbatim.Operands.Any(a => ActivityAnalysis.SourcesAll(a).Overlaps(activity.Varied)))
                diagnostics.Add(verbatim.Construct is { } construct
                    ? DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedExpression, location, verbatim.DisplayName, construct, verbatim.Advice)
                    : DiagnosticInfo.Create(DiagnosticDescriptors.UnknownCall, location, verbatim.DisplayName, verbatim.Advice));
            else if (data.VariedOperand(verbatim) is { } carrier)
                diagnostics.Add(data.Report(carrier, verbatim, location));
            return;
        }
        if (expression is IrOpaqueCall call && expression.Type.IsReal && call.Method != IrOpaqueCall.StopGradient)
        {
            bool varied = call.Arguments.Any(a => ActivityAnalysis.SourcesAll(a).Overlaps(activity.Varied));
            if (varied)
            {
                lowering.ExpressionLocations.TryGetValue(call, out var location);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownCall, location, call.DisplayName, call.Advice));
            }
            return;
        }
        if (expression is IrDifferentiableCall differentiable)
            CheckInactiveArguments(differentiable.Callee, differentiable.Arguments, activity, lowering, diagnostics);
        foreach (var child in ActivityAnalysis.DifferentiableChildren(expression))
            CheckExpression(child, activity, lowering, diagnostics, data);
    }

    /// <summary>
    /// A real argument for a parameter the callee does not differentiate (<c>[NoDerivative]</c>) must not depend on
    /// differentiated values: the callee's pullback has no gradient for it, so the derivative would silently be zero.
    /// </summary>
    private static void CheckInactiveArguments(CalleeInfo callee, EquatableArray<IrExpression> arguments, ActivityAnalysis activity, LoweringResult lowering, List<DiagnosticInfo> diagnostics)
    {
        for (int i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (callee.ActiveParameters[i] || callee.OutputParameters[i] || !argument.Type.IsReal) continue;
            // Ad.StopGradient(argument), as the message advises, cuts the derivative on purpose: nothing is lost then.
            if (!ActivityAnalysis.SourcesUnlessStopped(argument).Overlaps(activity.Varied)) continue;
            lowering.ExpressionLocations.TryGetValue(argument, out var location);
            string text = location?.SourceTree?.GetText().ToString(location.SourceSpan) ?? callee.ParameterNames[i];
            // Ad.StopGradient takes a scalar: for a span the one fix that compiles is the first.
            string cut = argument.Type.IsBuffer ? "" : ", or cut the derivative on purpose with Ad.StopGradient(" + text + ")";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonDifferentiableArgument, location, text, callee.Name, Identifiers.Bare(callee.ParameterNames[i]), cut));
        }
    }
}
