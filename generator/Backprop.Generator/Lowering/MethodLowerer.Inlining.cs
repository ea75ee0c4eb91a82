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
/// Inlining (see <see cref="Inline"/>): a method whose parameters or result are structs, or that takes <c>ref</c>/<c>out</c>
/// arguments, is lowered in place of its call, its parameters bound to the caller's values and variables.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>A method whose body is being inlined: what <c>this</c> and <c>return</c> mean inside it.</summary>
    private sealed class InlineFrame
    {
        public InlineFrame(IMethodSymbol method, SourceRef source)
        {
            Method = method;
            Source = source;
        }

        public IMethodSymbol Method { get; }

        public SourceRef Source { get; }

        /// <summary>The variables of <c>this</c> (a struct instance method or constructor), when it is a place.</summary>
        public List<int>? ThisVariables { get; set; }

        /// <summary><c>this</c> as a value, when the receiver is not a place and the method does not write it.</summary>
        public StructValue? ThisValue { get; set; }

        public ImmutableArray<StructLeaf> ThisLayout { get; set; }

        /// <summary>Where <c>return</c> puts a struct result, leaf by leaf.</summary>
        public List<int>? StructResult { get; set; }

        public ImmutableArray<StructLeaf> ResultLayout { get; set; }

        /// <summary>Where <c>return</c> puts a scalar result.</summary>
        public int ScalarResult { get; set; } = -1;

        /// <summary>For a body with returns before its end: the flag each return sets before it leaves the pass.</summary>
        public int ReturnedFlag { get; set; } = -1;
    }

    /// <summary>
    /// Whether a call is inlined (or expanded): it takes or returns a struct value, or passes <c>ref</c>/<c>out</c>
    /// arguments to a method of the compilation (the parameter then names the caller's variable).
    /// </summary>
    private bool InlinesCall(IInvocationOperation invocation) =>
        InvolvesStructs(invocation)
        // A local function has no place for a generated pullback: its body is inlined at each call (it reads and writes the
        // enclosing method's variables it captures as they are at the call, as C# does).
        || invocation.TargetMethod.MethodKind == MethodKind.LocalFunction
        || IsHelperOfNonPartialType(invocation.TargetMethod)
        || (invocation.Arguments.Any(a => a.Parameter?.RefKind is RefKind.Ref or RefKind.Out)
            // An 'in' parameter is read-only: inlined, it is the argument's value (unless a [DerivativeOf] rule replaces the body).
            || invocation.Arguments.Any(a => a.Parameter?.RefKind is RefKind.In) && CustomRules.For(_model.Compilation, invocation.TargetMethod).Count == 0)
            && invocation.TargetMethod.MethodKind == MethodKind.Ordinary && invocation.TargetMethod.OriginalDefinition.DeclaringSyntaxReferences.Length > 0
        || WritesBufferInPlace(invocation)
        || PassesMatrix(invocation)
        || PassesJaggedRow(invocation);

    /// <summary>
    /// The variables of the caller that <paramref name="body"/> of <paramref name="method"/> writes: captured locals and
    /// parameters (through the local functions it calls too), and the receiver's fields for a struct method.
    /// </summary>
    private HashSet<int> WrittenOutside(IOperation body, IMethodSymbol method, IOperation? receiver)
    {
        var written = new HashSet<int>();
        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default) { method };
        void Root(IOperation? target)
        {
            while (target is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
                target = ((IMemberReferenceOperation)target).Instance;
            ISymbol? symbol = target switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                _ => null,
            };
            if (symbol is not null && !visited.Contains(symbol.ContainingSymbol as IMethodSymbol ?? method))
            {
                if (_variableIds.TryGetValue(symbol, out int id)) written.Add(id);
                if (_structVariables.TryGetValue(symbol, out var leaves)) written.UnionWith(leaves);
            }
            else if (target is IInstanceReferenceOperation && receiver is not null && StructPlace(receiver) is { } place)
                written.UnionWith(place.Variables);
        }
        void Visit(IOperation operation)
        {
            foreach (var descendant in operation.DescendantsAndSelf())
            {
                foreach (var target in WriteTargets(descendant)) Root(target);
                // A local function it calls writes them too.
                if (descendant is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction } local } && visited.Add(local.OriginalDefinition)
                    && local.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is { } syntax
                    && ModelFor(syntax).GetOperation(syntax, _cancellationToken) is { } nested)
                    Visit(nested);
            }
        }
        Visit(body);
        return written;
    }

    /// <summary>
    /// A static helper with source in a type that is not <c>partial</c> (<c>static class MathUtil</c>), so its derivatives
    /// cannot be generated next to it: its body is inlined at the call, when it is plain code over numbers and buffers
    /// (no construct that stops inlining, which would turn a call that runs as written into an error).
    /// </summary>
    private bool IsHelperOfNonPartialType(IMethodSymbol target)
    {
        if (target.DeclaringSyntaxReferences.Length == 0 || target.MethodKind != MethodKind.Ordinary || !target.IsStatic || target.IsGenericMethod || target.ContainingType is not { IsGenericType: false } owner
            || TypeMapping.Map(target.ReturnType) is not { IsRealScalar: true }
            || target.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams || TypeMapping.Map(p.Type) is null)
            || !target.Parameters.Any(p => TypeMapping.Map(p.Type) is { IsReal: true })
            || target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)
            || CustomRules.For(_model.Compilation, target).Count > 0
            || owner.DeclaringSyntaxReferences.Any(r => r.GetSyntax(_cancellationToken) is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.ValueText == "partial"))
            || target.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not MethodDeclarationSyntax { } declaration
            || declaration.Body is null && declaration.ExpressionBody is null
            // A block's statements run before the statement with the call: not inside ?:, && or || (there it stays a call).
            || declaration.Body is not null && (_pending is null || _conditionalDepth > 0))
            return false;
        // Plain code: nothing the lowering reports wherever it appears, and no member the generated code could not name.
        if (declaration.DescendantNodes().Any(n => n is TryStatementSyntax or UsingStatementSyntax or LockStatementSyntax or GotoStatementSyntax or LabeledStatementSyntax
            or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or YieldStatementSyntax or RefExpressionSyntax or ThrowStatementSyntax or ThrowExpressionSyntax
            or QueryExpressionSyntax or AwaitExpressionSyntax))
            return false;
        // Nor recursion (it cannot be inlined; as an opaque call it still runs where nothing it takes is differentiated).
        var model = ModelFor(declaration);
        return declaration.DescendantNodes().OfType<IdentifierNameSyntax>().All(name => model.GetSymbolInfo(name, _cancellationToken).Symbol is not { } symbol
            || symbol is not (IFieldSymbol { IsConst: false } or IPropertySymbol or IMethodSymbol or IEventSymbol)
            || symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction }
            || !SymbolEqualityComparer.Default.Equals(symbol.OriginalDefinition, target.OriginalDefinition) && _model.Compilation.IsSymbolAccessibleWithin(symbol, _method.ContainingType));
    }

    /// <summary>
    /// A call that passes a differentiated two-dimensional array to a method of the compilation (<c>Row(w, r, x)</c>): inlined,
    /// its parameter the caller's array, read through the same flat view.
    /// </summary>
    private bool PassesMatrix(IInvocationOperation invocation) =>
        invocation.TargetMethod is { MethodKind: MethodKind.Ordinary, IsGenericMethod: false } target
        && target.OriginalDefinition.DeclaringSyntaxReferences.Length > 0 && CustomRules.For(_model.Compilation, target).Count == 0
        && invocation.Arguments.Any(a => a.Parameter is { RefKind: RefKind.None } p && MatrixType(p.Type) is not null && MatrixOf(a.Value) is not null);

    /// <summary>
    /// A helper with source that writes into a buffer argument and returns a value (<c>Modify2(arr)</c>) or also reads what
    /// it writes (<c>x[i] *= y</c>): neither a value-returning callee nor a layer, it is inlined, its writes the caller's.
    /// </summary>
    private bool WritesBufferInPlace(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        if (target.MethodKind != MethodKind.Ordinary || !target.IsStatic || target.IsGenericMethod
            || target.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not MethodDeclarationSyntax syntax
            || target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttribute)
            || CustomRules.For(_model.Compilation, target).Count > 0)
            return false;
        var writes = invocation.Arguments.Where(a => a.Parameter is { RefKind: RefKind.None } p && TypeMapping.Map(p.Type) is { IsBuffer: true, IsReal: true, Shape: not ShapeKind.ReadOnlySpan }
            && WritableBuffer(a.Value) is not null && CalleeMayWrite(target, p)).Select(a => a.Parameter!).ToList();
        if (writes.Count == 0 || ModelFor(syntax).GetOperation(syntax, _cancellationToken) is not { } body) return false;
        var operations = body.DescendantsAndSelf().ToList();
        // Recursion stays a call (its pullback calls itself); it is reported where it cannot be one.
        if (operations.OfType<IInvocationOperation>().Any(c => SymbolEqualityComparer.Default.Equals(c.TargetMethod.OriginalDefinition, target.OriginalDefinition))) return false;
        if (!target.ReturnsVoid) return true;
        // A void helper that only stores into its buffers is a layer; one that reads their elements too works in place.
        return writes.Any(p => operations.OfType<IParameterReferenceOperation>().Any(use => SymbolEqualityComparer.Default.Equals(use.Parameter, target.OriginalDefinition.Parameters[p.Ordinal])
            && use.Parent is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation
            && !(use.Parent.Parent is ISimpleAssignmentOperation store && store.Target == use.Parent)));
    }

    /// <summary>Whether a call takes or returns a struct value: it is lowered here, inlined or expanded.</summary>
    private bool InvolvesStructs(IInvocationOperation invocation) =>
        LayoutOf(invocation.Type) is not null && invocation.Type?.TypeKind == TypeKind.Struct
        || IsStructValue(invocation.Instance)
        || invocation.Arguments.Any(a => IsStructValue(a.Value) && a.Parameter?.RefKind is RefKind.None or RefKind.In);

    /// <summary>A call that takes or returns structs: a Vector2/3/4 member's expansion, or the callee inlined.</summary>
    private object? LowerStructCall(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        var arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToList();
        if (StructLayout.IsVector(target.ContainingType))
        {
            var operands = new List<IOperation>();
            if (invocation.Instance is { } instance) operands.Add(instance);
            operands.AddRange(arguments);
            return VectorMember(target, operands, invocation);
        }
        return Inline(target, invocation.Instance, arguments, invocation);
    }

    /// <summary>A user-defined operator of a struct (inlined) or of Vector2/3/4 (expanded).</summary>
    private object? StructOperatorCall(IMethodSymbol method, IReadOnlyList<IOperation> operands, IOperation site) =>
        StructLayout.IsVector(method.ContainingType) ? VectorMember(method, operands, site) : Inline(method, null, operands.ToList(), site);

    /// <summary>
    /// Lowers <paramref name="method"/>'s body in place of the call: parameters bound to the arguments (copied when the
    /// body writes them), <c>this</c> to the receiver, <c>return</c> to the result's variables. A body that is one
    /// expression becomes that expression; a block's statements run just before the statement with the call.
    /// </summary>
    private object? Inline(IMethodSymbol? method, IOperation? receiver, List<IOperation> arguments, IOperation site)
    {
        string shown = method is null ? "this member" : (method.MethodKind is MethodKind.PropertyGet ? method.AssociatedSymbol?.Name ?? method.Name : method.MethodKind is MethodKind.Constructor ? "new " + method.ContainingType.Name : method.Name);
        var definition = method?.OriginalDefinition;
        var syntax = definition?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken);
        if (syntax is null && AsWritten(site) is { } data) return data;
        if (definition is null || syntax is null || method!.IsGenericMethod || definition.ContainingType.IsGenericType)
        {
            ReportUnsupportedExpression(site, "'" + shown + "', which takes or returns a struct and whose body is not in this compilation" + (method?.IsGenericMethod == true ? " or is generic" : ""),
                "write the computation with the struct's fields, or give it a [DerivativeOf] rule over numbers");
            return null;
        }
        if (SymbolEqualityComparer.Default.Equals(definition, _method.OriginalDefinition) || _inlining.Any(f => SymbolEqualityComparer.Default.Equals(f.Method, definition)))
        {
            if (definition.MethodKind == MethodKind.LocalFunction)
                Report(DiagnosticDescriptors.Recursion, site.Syntax.GetLocation(), shown, "a local function", "make it a method of the type (a recursive method is differentiated)");
            else
                Report(DiagnosticDescriptors.Recursion, site.Syntax.GetLocation(), shown, "a method that takes or returns a struct", "recurse in a helper over the struct's numbers");
            return null;
        }
        var model = ModelFor(syntax);
        // A typo in the helper: the compiler's own errors are all the user sees (see MethodAnalyzer).
        if (HasCompileErrors(definition))
        {
            _inlinedCodeHasErrors = true;
            return null;
        }
        var bodyOperation = model.GetOperation(syntax, _cancellationToken);
        IOperation? body = bodyOperation switch
        {
            IConstructorBodyOperation { Initializer: null } ctor => (IOperation?)ctor.BlockBody ?? ctor.ExpressionBody,
            ILocalFunctionOperation local => local.Body ?? local.IgnoredBody,
            IMethodBodyOperation m => (IOperation?)m.BlockBody ?? m.ExpressionBody,
            IBlockOperation block => block,
            _ => null,
        };
        if (body is null)
        {
            ReportUnsupportedExpression(site, "'" + shown + "', whose body cannot be inlined (a constructor chaining to another, or no body)", "give it a body that assigns the fields");
            return null;
        }
        var single = SingleReturn(body);
        // Returns before the end: the body runs in a loop of one pass that each return leaves (see ExitThroughLoops).
        bool earlyReturns = single is null && !ReturnsOnlyAtEnd(body);
        bool canHoist = _pending is not null && _conditionalDepth == 0;
        if (single is null && !canHoist && !(method.MethodKind == MethodKind.Constructor && FieldAssignments(body) is not null))
        {
            ReportUnsupportedExpression(site, "a call of '" + shown + "', whose statements must run first, inside ?:, && or ||", "call it in a statement of its own and use the local (inside an if statement when it should only run under that condition)");
            return null;
        }

        var frame = new InlineFrame(definition, _inlining.Count > 0 ? Frame!.Source : _pendingSource);
        var bound = new List<ISymbol>();
        // Parameters: a value the body never writes is used as it is (a complex one once, in a temporary); else a copy.
        var parameters = method.Parameters;
        if (arguments.Count < parameters.Length)
        {
            ReportUnsupportedExpression(site, "'" + shown + "' called with fewer arguments than parameters", "pass every argument");
            return null;
        }
        // ref and out parameters first: a value argument that reads a variable the body may write through one is copied.
        // The caller's variables the body writes (a local function's captured locals, a struct method's receiver): an argument
        // that reads one is copied at the call, as C# evaluates it, never re-read after the body changed it.
        var referenced = WrittenOutside(body, definition, receiver);
        foreach (int p in Enumerable.Range(0, parameters.Length).OrderBy(p => parameters[p].RefKind is RefKind.Ref or RefKind.Out ? 0 : 1))
        {
            var parameter = parameters[p];
            var key = definition.Parameters[p];
            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                // The parameter is the caller's variable: writes and reads inside go to it (two ref arguments naming one
                // variable alias, as in C#).
                if (!canHoist || !BindReference(key, arguments[p]))
                {
                    ReportUnsupportedExpression(arguments[p], "a " + (parameter.RefKind == RefKind.Ref ? "ref" : "out") + " argument of '" + shown + "' that is not a local, a parameter or a struct field" + (canHoist ? "" : ", or inside a condition, ?:, && or ||"),
                        "pass a local variable (out var x), and call it in a statement of its own");
                    return null;
                }
                bound.Add(key);
                if (_variableIds.TryGetValue(key, out int variable)) referenced.Add(variable);
                if (_structVariables.TryGetValue(key, out var leafVariables)) referenced.UnionWith(leafVariables);
                continue;
            }
            bool written = Writes(body, key);
            if (LayoutOf(parameter.Type) is { } layout)
            {
                if (LowerStruct(arguments[p], parameter.Type) is not { } value) return null;
                written |= value.Leaves.Any(leaf => Reads(leaf, referenced));
                if (written)
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, parameter);
                    var copies = StructTemporaries(parameter.Name, layout);
                    for (int k = 0; k < copies.Count; k++) _pending!.Add(new IrAssign(frame.Source, copies[k], value.Leaves[k], IsDeclaration: true));
                    _structVariables[key] = copies;
                }
                else _structValues[key] = MaterializeReused(value, LeafUses(body, key, layout), parameter.Name);
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: false } scalarType)
            {
                if (LowerExpression(arguments[p]) is not { } value) return null;
                value = ConvertTo(value, scalarType);
                written |= Reads(value, referenced);
                if (written)
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, parameter);
                    int copy = AddVariable(parameter.Name, scalarType, VariableKind.Synthetic);
                    _pending!.Add(new IrAssign(frame.Source, copy, value, IsDeclaration: true));
                    _variableIds[key] = copy;
                }
                else _parameterValues[key] = UsedOnce(body, key) ? value : Materialize(value, parameter.Name);
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: true } && IsJaggedRow(arguments[p]))
            {
                // A row of a jagged array: its elements are read at the row's positions (the body cannot write them).
                if (written)
                {
                    ReportUnsupportedExpression(arguments[p], "the row '" + Text(arguments[p]) + "' given to '" + shown + "', which assigns its parameter '" + parameter.Name + "'",
                        "assign a local span in '" + shown + "' instead of its parameter");
                    return null;
                }
                if (!BindJaggedRow(key, arguments[p], parameter.Name)) return null;
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: true } && !written && LowerExpression(WithoutConversions(arguments[p])) is IrRead { Type.IsBuffer: true } buffer)
            {
                _variableIds[key] = buffer.Variable;
            }
            else if (MatrixType(parameter.Type) is not null && MatrixOf(arguments[p]) is { } matrix)
            {
                // A two-dimensional array: the caller's (its elements are read-only, so the body cannot change it).
                _variableIds[key] = matrix;
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: true } && site is IInvocationOperation call && WritesBufferInPlace(call))
            {
                // A helper that writes into its buffers in place runs inlined, over whole buffers.
                ReportUnsupportedExpression(arguments[p], "a slice or view given to '" + shown + "', which writes into its buffer arguments in place and so is inlined into the caller",
                    "pass whole buffers (parameters or locals) to '" + shown + "' and the offset as an int, or copy the slice into a local buffer");
                return null;
            }
            else if (TypeMapping.Map(parameter.Type) is { IsBuffer: true })
            {
                // A slice, a view or Ad.StopGradient(w): an inlined body reads its parameter as a whole buffer only.
                ReportUnsupportedExpression(arguments[p], "the slice or view '" + Text(arguments[p]) + "' given to '" + shown + "', which is inlined (a local function, a struct method or a helper of a type that is not partial) and takes whole buffers only",
                    "pass a whole buffer (a parameter, or a local that is not a view) and the offset as an int, or copy the slice into a local buffer ('" + Text(arguments[p]) + ".ToArray()')");
                return null;
            }
            else
            {
                ReportUnsupportedExpression(site, "'" + shown + "', whose parameter '" + parameter.Name + "' of type '" + parameter.Type.ToDisplayString() + "' cannot be passed to an inlined method",
                    "pass numbers, structs of numbers, or a buffer parameter or local");
                return null;
            }
            bound.Add(key);
        }

        // this: the receiver's variables when it is a place (a mutating method changes it), else its value or a copy.
        if (method.MethodKind == MethodKind.Constructor && FieldAssignments(body) is { } assignments)
        {
            // A constructor that only assigns fields from its parameters is the list of its fields' values: no temporaries.
            var layout = LayoutOf(method.ContainingType)!.Value;
            var leaves = layout.Select(l => (IrExpression)IrConstant.Of(l.Type, 0)).ToList();
            _inlining.Add(frame);
            try
            {
                foreach (var (member, value) in assignments)
                {
                    var indices = StructLayout.Under(layout, StructLayout.MemberName(member));
                    if (LayoutOf(value.Type) is not null && LowerStruct(value, member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type) is { } inner)
                        for (int k = 0; k < indices.Count && k < inner.Leaves.Count; k++) leaves[indices[k]] = ConvertTo(inner.Leaves[k], layout[indices[k]].Type);
                    else if (LayoutOf(value.Type) is null && indices.Count == 1 && LowerExpression(value) is { } scalar)
                        leaves[indices[0]] = ConvertTo(scalar, layout[indices[0]].Type);
                    else return null;
                }
                return new StructValue(layout, leaves);
            }
            finally
            {
                _inlining.RemoveAt(_inlining.Count - 1);
                foreach (var symbol in bound) Unbind(symbol);
            }
        }
        if (method.MethodKind == MethodKind.Constructor)
        {
            frame.ThisLayout = LayoutOf(method.ContainingType)!.Value;
            if (!canHoist && single is null) return null;
            frame.ThisVariables = StructTemporaries(method.ContainingType.Name.ToLowerInvariant(), frame.ThisLayout);
            foreach (var (variable, leaf) in frame.ThisVariables.Zip(frame.ThisLayout, (v, l) => (v, l)))
                _pending?.Add(new IrAssign(frame.Source, variable, IrConstant.Of(leaf.Type, 0), IsDeclaration: true));
        }
        else if (!method.IsStatic && method.MethodKind != MethodKind.LocalFunction)
        {
            if (receiver is null || LayoutOf(receiver.Type) is not { } thisLayout || !IsStructValue(receiver))
            {
                ReportUnsupportedExpression(site, "'" + shown + "', an instance method with struct parameters called on an object", "make it static, or pass the numbers");
                return null;
            }
            frame.ThisLayout = thisLayout;
            if (StructPlace(receiver) is { } place) frame.ThisVariables = place.Variables;
            else if (LowerStruct(receiver, receiver.Type) is { } self)
            {
                if (Writes(body, null))
                {
                    if (!canHoist) return ReportWrittenParameter(site, shown, null);
                    frame.ThisVariables = StructTemporaries("self", thisLayout);
                    for (int k = 0; k < thisLayout.Length; k++) _pending!.Add(new IrAssign(frame.Source, frame.ThisVariables[k], self.Leaves[k], IsDeclaration: true));
                }
                else frame.ThisValue = Materialize(self, "self");
            }
            else return null;
        }

        var returned = method.MethodKind == MethodKind.Constructor ? null : method.ReturnType;
        _inlining.Add(frame);
        try
        {
            if (single is not null)
            {
                if (LayoutOf(returned) is not null) return LowerStruct(single, returned);
                var scalar = LowerExpression(single);
                return scalar is null || TypeMapping.Map(returned) is not { } resultType ? scalar : ConvertTo(scalar, resultType);
            }
            if (LayoutOf(returned) is { } resultLayout)
            {
                frame.ResultLayout = resultLayout;
                frame.StructResult = StructTemporaries(shown + "Result", resultLayout);
            }
            else if (returned is not null && TypeMapping.Map(returned) is { IsBuffer: false } scalarResult)
            {
                frame.ScalarResult = AddVariable(shown + "Result", scalarResult, VariableKind.Synthetic);
            }
            else if (returned is not null && !method.ReturnsVoid)
            {
                ReportUnsupportedExpression(site, "'" + shown + "', which returns '" + returned.ToDisplayString() + "'", "return a number or a struct of numbers");
                return null;
            }

            // Each statement of the body with its own hoisted side effects, all before the caller's statement.
            var statements = ImmutableArray.CreateBuilder<IrStatement>();
            var (pending, pendingSource, reads) = (_pending!, _pendingSource, _statementReads.Count);
            _pending = null;
            try
            {
                if (earlyReturns) frame.ReturnedFlag = AddVariable(shown + "Returned", IrType.Boolean, VariableKind.Synthetic);
                LowerStatement(body, statements);
            }
            finally
            {
                (_pending, _pendingSource) = (pending, pendingSource);
                _statementReads.RemoveRange(reads, _statementReads.Count - reads);
            }
            if (earlyReturns)
            {
                var flag = frame.ReturnedFlag;
                _pending.Add(new IrAssign(frame.Source, flag, IrConstant.Bool(false), IsDeclaration: true));
                var pass = ExitThroughLoops(statements, flag).Append(new IrBreak(frame.Source));
                _pending.Add(new IrLoop(frame.Source, null, pass.ToEquatableArray(), EquatableArray<IrStatement>.Empty));
            }
            else _pending.AddRange(statements);
            if (method.MethodKind == MethodKind.Constructor) return ReadAll(frame.ThisLayout, frame.ThisVariables!);
            if (frame.StructResult is { } result) return ReadAll(frame.ResultLayout, result);
            return frame.ScalarResult >= 0 ? Read(frame.ScalarResult) : null;
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            // The callee's parameters and locals are bound afresh at its next call.
            foreach (var symbol in bound) Unbind(symbol);
            foreach (var symbol in _variableIds.Keys.Concat(_structVariables.Keys).Where(s => SymbolEqualityComparer.Default.Equals(s.ContainingSymbol, definition)).ToList())
                Unbind(symbol);
        }
    }

    /// <summary>
    /// A call of another assembly's method on data (<c>Math.DivRem(a, b)</c>): run as written, its value read leaf by leaf
    /// (<see cref="TryVerbatim"/>; the support gate reports it if a differentiated value goes in).
    /// </summary>
    private object? AsWritten(IOperation site)
    {
        if (TryVerbatim(site, IrType.Double) is not IrVerbatim verbatim) return null;
        if (LayoutOf(site.Type) is not { } layout)
            return TypeMapping.Map(site.Type) is { IsBuffer: false } scalar ? verbatim with { Type = scalar } : null;
        return new StructValue(layout, layout.Select(l => (IrExpression)Located(verbatim with { Type = l.Type, Text = "(" + verbatim.Text + ")." + l.Path }, site)).ToList());
    }

    /// <summary>Binds a <c>ref</c>/<c>out</c> parameter to the variable (or struct leaves) its argument names.</summary>
    private bool BindReference(IParameterSymbol key, IOperation argument)
    {
        argument = WithoutConversions(argument);
        if (argument is IDeclarationExpressionOperation declaration) argument = declaration.Expression;
        if (LayoutOf(key.Type) is not null)
        {
            if (StructPlace(argument) is not { } place) return false;
            _structVariables[key] = place.Variables;
            return true;
        }
        // An element (ref w[i], a ref local bound to one, a parameter bound to one): the element at the index as it is now.
        var element = argument switch
        {
            IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } or IImplicitIndexerReferenceOperation => LowerExpression(argument) as IrElement,
            ILocalReferenceOperation { Local.IsRef: true } alias => RefAliasOf(alias.Local) as IrElement,
            IParameterReferenceOperation bound when _parameterElements.TryGetValue(bound.Parameter, out var known) => known,
            _ => null,
        };
        if (element is not null)
        {
            _parameterElements[key] = element with { Index = Materialize(element.Index, "index") };
            return true;
        }
        if (argument is ILocalReferenceOperation { Local.IsRef: true } scalarAlias && RefAliasOf(scalarAlias.Local) is IrRead aliased)
        {
            _variableIds[key] = aliased.Variable;
            return true;
        }
        int? id = argument switch
        {
            ILocalReferenceOperation { Local.IsRef: false } local when TypeMapping.Map(local.Type) is { IsBuffer: false } && !_spanViews.ContainsKey(local.Local) => VariableOf(local.Local, local.Syntax.GetLocation()),
            IParameterReferenceOperation parameter when _variableIds.TryGetValue(parameter.Parameter, out int known) && !_variables[known].Type.IsBuffer && _variables[known].Kind != VariableKind.Member => known,
            IFieldReferenceOperation or IPropertyReferenceOperation => StructLeafPlace(argument),
            _ => null,
        };
        if (id is null) return false;
        _variableIds[key] = id.Value;
        return true;
    }

    /// <summary>ref parameters of inlined methods bound to an element of a buffer (<c>Bump(ref w[i])</c>).</summary>
    private readonly Dictionary<ISymbol, IrElement> _parameterElements = new(SymbolEqualityComparer.Default);

    /// <summary>A fresh node for one use of a parameter bound to an element (IR nodes are keyed by reference in later passes).</summary>
    private IrElement? ParameterElement(IParameterSymbol parameter) =>
        _parameterElements.TryGetValue(parameter, out var element) ? element with { Index = element.Index with { } } : null;

    private void Unbind(ISymbol symbol)
    {
        _parameterElements.Remove(symbol);
        _boundRows.Remove(symbol);
        _variableIds.Remove(symbol);
        _structVariables.Remove(symbol);
        _structValues.Remove(symbol);
        _parameterValues.Remove(symbol);
        if (symbol is ILocalSymbol local) _unsupportedLocals.Remove(local);
    }

    private object? ReportWrittenParameter(IOperation site, string shown, IParameterSymbol? parameter)
    {
        ReportUnsupportedExpression(site, "a call of '" + shown + "', which writes " + (parameter is null ? "this" : "its parameter '" + parameter.Name + "'") + ", inside a condition, ?:, && or ||",
            "call it in a statement of its own and use the local");
        return null;
    }

    /// <summary>An inlined method's <c>return</c>: its value into the frame's result variables.</summary>
    /// <summary>
    /// An inlined body with early returns runs in <c>while (true) { body; break; }</c>: each return sets the frame's flag
    /// and breaks; after every loop of the body that holds a return, <c>if (flag) break;</c> carries the exit outwards.
    /// </summary>
    private static IEnumerable<IrStatement> ExitThroughLoops(IEnumerable<IrStatement> statements, int flag)
    {
        bool SetsFlag(IrStatement statement)
        {
            bool sets = false;
            IrWalker.VisitStatements(statement, s => sets |= s is IrAssign { Variable: var v, Value: IrConstant { Truth: true } } && v == flag);
            return sets;
        }
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case IrLoop loop when SetsFlag(loop):
                    yield return loop with { Body = ExitThroughLoops(loop.Body, flag).ToEquatableArray() };
                    yield return new IrIf(loop.Source, new IrRead(IrType.Boolean, flag), new IrStatement[] { new IrBreak(loop.Source) }.ToEquatableArray(), EquatableArray<IrStatement>.Empty);
                    break;
                case IrIf branch when SetsFlag(branch):
                    yield return branch with { Then = ExitThroughLoops(branch.Then, flag).ToEquatableArray(), Else = ExitThroughLoops(branch.Else, flag).ToEquatableArray() };
                    break;
                default:
                    yield return statement;
                    break;
            }
        }
    }

    private void LowerInlinedReturn(InlineFrame frame, IReturnOperation ret, ImmutableArray<IrStatement>.Builder output)
    {
        var source = Source(ret.Syntax);
        if (frame.ReturnedFlag >= 0)
        {
            // A return before the end: its value, then out of the pass (ExitThroughLoops).
            LowerInlinedValue(frame, ret, source, output);
            output.Add(new IrAssign(source, frame.ReturnedFlag, IrConstant.Bool(true)));
            output.Add(new IrBreak(source));
            return;
        }
        LowerInlinedValue(frame, ret, source, output);
    }

    private void LowerInlinedValue(InlineFrame frame, IReturnOperation ret, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        if (ret.ReturnedValue is not { } returned) return;
        if (frame.StructResult is { } result)
        {
            if (LowerStruct(returned, frame.Method.ReturnType) is not { } value) return;
            for (int k = 0; k < result.Count; k++)
                output.Add(new IrAssign(source, result[k], ConvertTo(value.Leaves[k], frame.ResultLayout[k].Type)));
        }
        else if (frame.ScalarResult >= 0 && LowerExpression(returned) is { } scalar)
        {
            output.Add(new IrAssign(source, frame.ScalarResult, ConvertTo(scalar, _variables[frame.ScalarResult].Type)));
        }
    }

    /// <summary>How many times the body reads each leaf of a struct parameter (<c>p.X</c> one leaf, <c>p</c> all of them).</summary>
    private static int[] LeafUses(IOperation body, IParameterSymbol parameter, ImmutableArray<StructLeaf> layout)
    {
        var uses = new int[layout.Length];
        foreach (var reference in body.DescendantsAndSelf().OfType<IParameterReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter)) continue;
            string path = "";
            IOperation node = reference;
            while (node.Parent is IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false } && IsStoredMember(((IMemberReferenceOperation)node.Parent).Member))
            {
                node = node.Parent;
                path = path.Length == 0 ? StructLayout.MemberName(((IMemberReferenceOperation)node).Member) : path + "." + StructLayout.MemberName(((IMemberReferenceOperation)node).Member);
            }
            var indices = path.Length == 0 ? Enumerable.Range(0, layout.Length).ToList() : StructLayout.Under(layout, path);
            foreach (int k in indices) uses[k]++;
        }
        return uses;
    }

    private StructValue MaterializeReused(StructValue value, int[] uses, string name) =>
        new(value.Layout, value.Leaves.Select((leaf, k) => uses[k] > 1 ? Materialize(leaf, name) : leaf).ToList());

    /// <summary>Whether the body reads the parameter at most once (its argument's expression can stand in for it).</summary>
    private static bool UsedOnce(IOperation body, IParameterSymbol parameter) =>
        body.DescendantsAndSelf().Count(o => o is IParameterReferenceOperation p && SymbolEqualityComparer.Default.Equals(p.Parameter, parameter)) <= 1;

    /// <summary>
    /// A constructor body that is only <c>X = e;</c> statements (<c>this.X = e</c> too), each field once, no <c>e</c>
    /// reading <c>this</c>: the fields' values; null for any other body.
    /// </summary>
    private static List<(ISymbol Member, IOperation Value)>? FieldAssignments(IOperation body)
    {
        var statements = body is IBlockOperation block ? block.Operations : ImmutableArray.Create(body);
        var assignments = new List<(ISymbol, IOperation)>();
        foreach (var statement in statements)
        {
            if (statement is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation } target } assignment }
                || !IsStoredMember(target.Member) || assignment.Value.DescendantsAndSelf().Any(o => o is IInstanceReferenceOperation)
                || assignments.Any(a => SymbolEqualityComparer.Default.Equals(a.Item1, target.Member)))
                return null;
            assignments.Add((target.Member, assignment.Value));
        }
        return assignments;
    }

    /// <summary>The returned expression of a body that is only <c>return e;</c> (or <c>=&gt; e</c>).</summary>
    private static IOperation? SingleReturn(IOperation body) => body switch
    {
        IBlockOperation { Operations.Length: 1 } block when block.Operations[0] is IReturnOperation { ReturnedValue: { } value } => value,
        IReturnOperation { ReturnedValue: { } value } => value,
        _ => null,
    };

    /// <summary>Whether every <c>return</c> is the last thing its path runs (the body's last statement, or the ends of a last if/else).</summary>
    private static bool ReturnsOnlyAtEnd(IOperation body)
    {
        static bool NoReturn(IOperation operation) => !operation.DescendantsAndSelf().Any(o => o is IReturnOperation);
        static bool Tail(IOperation statement) => statement switch
        {
            IReturnOperation => true,
            IBlockOperation block => block.Operations.Length == 0 || block.Operations.Take(block.Operations.Length - 1).All(NoReturn) && Tail(block.Operations[block.Operations.Length - 1]),
            IConditionalOperation { WhenFalse: { } whenFalse } conditional => NoReturn(conditional.Condition) && Tail(conditional.WhenTrue) && Tail(whenFalse),
            _ => NoReturn(statement),
        };
        return Tail(body);
    }

    private readonly Dictionary<IMethodSymbol, bool> _compileErrors = new(SymbolEqualityComparer.Default);

    /// <summary>Whether a method this one calls has compile errors of its own (checked once per callee).</summary>
    private bool HasCompileErrors(IMethodSymbol callee)
    {
        if (_compileErrors.TryGetValue(callee, out bool known)) return known;
        // The cheap screen first (Lowering/CompileErrors): the compiler's answer binds the callee's body a second time.
        bool errors = callee.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is { } syntax
            && CompileErrors.Suspected(callee, syntax, ModelFor(syntax), _cancellationToken)
            && CompileErrors.Of(syntax, ModelFor(syntax), _cancellationToken).Count > 0;
        _compileErrors[callee] = errors;
        return errors;
    }

    private SemanticModel ModelFor(SyntaxNode syntax) =>
        syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
}
