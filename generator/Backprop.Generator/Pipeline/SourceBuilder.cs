using System;
using System.Threading;
using Backprop.Generator.Analysis;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Discovery;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Emit;
using Backprop.Generator.Helpers;

namespace Backprop.Generator.Pipeline;

/// <summary>Differentiates and emits one cached method model.</summary>
internal static class SourceBuilder
{
    public static GeneratedSource Build(MethodModel model, CancellationToken cancellationToken)
    {
        if (model.Method is not { } method)
            return model.Placeholder is { } placeholder ? placeholder with { Diagnostics = model.Diagnostics } : new GeneratedSource("", null, model.Diagnostics);
        try
        {
            var activity = ActivityAnalysis.Run(method);
            cancellationToken.ThrowIfCancellationRequested();
            var program = ReverseModeBuilder.Build(method, activity);
            // Forward mode over the method with its callees inlined, when it calls any without a tangent of its own (or for Hessians).
            // A layer's Jacobian gets one for its forward sweeps even without Forward = true, unless a callee could not be
            // inlined (MethodAnalyzer left Inlined unset): then it keeps its reverse sweeps.
            // Not with side effects, which would run once per sweep (GradientEmitter).
            bool forwardSweeps = MethodAnalyzer.WantsForwardSweeps(method.Shape) && (method.Inlined is not null || !MethodAnalyzer.CallsWithoutTangent(method))
                && !Ir.IrWalker.RunsEffects(method.Body);
            var tangent = !method.Shape.EmitTangent && !forwardSweeps ? null
                : method.Inlined is { } inlined ? TangentBuilder.Build(inlined, ActivityAnalysis.Run(inlined))
                : TangentBuilder.Build(method, activity);
            // Vector mode for a layer's Jacobian: over a body without calls.
            var lanesBody = tangent is null || !method.Shape.EmitJacobian || !method.Shape.IsVoid || method.Shape.HasThisGradient ? null
                : method.FullyInlined ?? (MethodAnalyzer.HasCalls(method) ? null : method);
            var lanes = lanesBody is null ? null : TangentBuilder.BuildLanes(lanesBody, ReferenceEquals(lanesBody, method) ? activity : ActivityAnalysis.Run(lanesBody));
            (Ir.IrMethod, GradientProgram)? directional = null;
            if (method.Shape.EmitHessian)
            {
                // Reverse over forward: the directional derivative as IR, differentiated like any method; over the
                // method with its callees inlined, when it calls any.
                var primal = method.Inlined ?? method;
                var core = TangentLowering.Build(primal, method.Inlined is null ? activity : ActivityAnalysis.Run(primal), method.Shape.DirectionalName);
                directional = (core, ReverseModeBuilder.Build(core, ActivityAnalysis.Run(core)));
            }
            cancellationToken.ThrowIfCancellationRequested();
            return new GeneratedSource(method.Shape.HintName, GradientEmitter.Emit(method, program, tangent, directional, lanes), model.Diagnostics);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, model.DisplayName, e.GetType().Name + ": " + e.Message);
            return new GeneratedSource("", null, new[] { info }.ToEquatableArray());
        }
    }
}
