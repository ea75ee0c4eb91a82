using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Arrays and lists of sub-modules (PyTorch's <c>nn.ModuleList</c>): a member <c>Linear[] Layers</c> (or a
/// <c>List&lt;Linear&gt;</c>, an <c>IReadOnlyList&lt;Linear&gt;</c>, read only) of <c>this</c>, whose elements'
/// <c>[Differentiable]</c> methods are called as <c>Layers[i].Forward(h, y)</c> or through
/// <c>foreach (var layer in Layers) layer.Forward(h, y)</c>. Such a call takes <c>dThis.Layers[i]</c>; the element's index
/// travels as the call's last argument (<see cref="CalleeInfo.ElementAccess"/>), so that the reverse sweep reads it
/// restored like any argument. Anything else read through an element (<c>Layers[0].Bias[1]</c>) is a located error: the
/// gradient reaches an element's members only through its methods.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>An element of a collection of sub-modules: the collection member of <c>this</c> and the element's index.</summary>
    /// <param name="Index">The index as written (<c>Layers[i]</c>), or null for a foreach variable.</param>
    /// <param name="Counter">For a foreach variable: the loop's counter.</param>
    private sealed record ModuleElement(IMemberReferenceOperation Collection, IOperation? Index, IrExpression? Counter, bool NullableElement);

    /// <summary>The variables of <c>foreach (var layer in Layers)</c> over a collection of sub-modules, with their loops' counters.</summary>
    private readonly Dictionary<ILocalSymbol, (IMemberReferenceOperation Collection, IrExpression Counter)> _moduleAliases = new(SymbolEqualityComparer.Default);

    /// <summary>Whether a call on an element of a collection of sub-modules was lowered (forward mode does not follow one).</summary>
    private Location? _elementCall;

    /// <summary>
    /// For a one-dimensional array, a <c>List&lt;T&gt;</c> or an <c>IReadOnlyList&lt;T&gt;</c> of sub-modules (a class with
    /// <c>[Differentiable]</c> instance methods, see <see cref="Discovery.ModelRegistration.IsModel"/>): the element type and
    /// the name of its count (<c>Length</c>, <c>Count</c>); null for any other type (a list of data objects stays data).
    /// </summary>
    internal static (ITypeSymbol Element, string Count)? ModuleCollection(ITypeSymbol? type)
    {
        var (element, count) = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => (array.ElementType, "Length"),
            INamedTypeSymbol { TypeArguments.Length: 1 } named when named.OriginalDefinition.ToDisplayString()
                is "System.Collections.Generic.List<T>" or "System.Collections.Generic.IReadOnlyList<T>" => (named.TypeArguments[0], "Count"),
            _ => (null, ""),
        };
        return element is INamedTypeSymbol { TypeKind: TypeKind.Class, SpecialType: SpecialType.None } module && Discovery.ModelRegistration.IsModel(module) ? (element, count) : null;
    }

    /// <summary>
    /// A collection of sub-modules that is a field or property of <c>this</c> (<c>Layers</c>) or of a sub-module
    /// (<c>Encoder.Layers</c>, whose elements' methods are not called: see <see cref="InstanceReceiver"/>), or null.
    /// </summary>
    private IMemberReferenceOperation? ModuleCollectionMember(IOperation operation) =>
        WithoutConversions(operation) is IMemberReferenceOperation { Instance: { } owner } member
            and (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false })
            && !_method.IsStatic && ModuleCollection(member.Type) is not null && ReceiverPath(owner) is not null
            ? member : null;

    /// <summary><c>Layers[i]</c>, or the variable of a foreach over <c>Layers</c>: an element of a collection of sub-modules; null otherwise.</summary>
    private ModuleElement? ModuleElementOf(IOperation? receiver)
    {
        switch (receiver is null ? null : WithoutConversions(receiver))
        {
            case IArrayElementReferenceOperation { Indices.Length: 1 } element when ModuleCollectionMember(element.ArrayReference) is { } collection:
                return new ModuleElement(collection, element.Indices[0], null, NullableElements(collection));
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer when indexer.Instance is { } list && ModuleCollectionMember(list) is { } collection:
                return new ModuleElement(collection, indexer.Arguments[0].Value, null, NullableElements(collection));
            case ILocalReferenceOperation local when _moduleAliases.TryGetValue(local.Local, out var alias):
                // Not the local's type: 'var' declares it nullable whatever the elements are.
                return new ModuleElement(alias.Collection, null, alias.Counter, NullableElements(alias.Collection));
            default:
                return null;
        }
    }

    /// <summary>
    /// Whether the collection's elements are declared nullable (<c>Linear?[]</c>), read with <c>!</c>: from the declared
    /// element type, which an element access's operation does not carry.
    /// </summary>
    private static bool NullableElements(IMemberReferenceOperation collection) =>
        ModuleCollection(collection.Type)?.Element.NullableAnnotation == NullableAnnotation.Annotated;

    /// <summary>
    /// The index of the element a call is made on, lowered (an <c>int</c>, evaluated once when it runs code kept as
    /// written), or null when it was reported.
    /// </summary>
    private IrExpression? LowerElementIndex(ModuleElement element)
    {
        if (element.Counter is not null) return element.Counter;
        var index = element.Index!;
        if (index.Type?.SpecialType != SpecialType.System_Int32)
        {
            ReportUnsupportedExpression(index, "an index of another type than int into the sub-modules '" + element.Collection.Member.Name + "'", "index the sub-modules with an int");
            return null;
        }
        return EvaluatedOnce(LowerExpression(index), index);
    }

    /// <summary>
    /// <c>foreach (var layer in Layers)</c> over a collection of sub-modules: the indexed loop it means, with
    /// <c>layer</c> standing for <c>Layers[k]</c> wherever the body calls one of its methods.
    /// </summary>
    private void LowerModuleForEach(IForEachLoopOperation loop, IVariableDeclaratorOperation control, IMemberReferenceOperation collection, ImmutableArray<IrStatement>.Builder output)
    {
        int counter = AddVariable("index", IrType.Int32, VariableKind.Synthetic);
        var header = Header(loop.Syntax);
        string count = ModuleCollection(collection.Type)!.Value.Count;
        _moduleAliases[control.Symbol] = (collection, new IrRead(IrType.Int32, counter));
        var body = LowerNested(loop.Body);
        AddCountedLoop(header, counter, new IrExternal(IrType.Int32, ModuleCollectionSpelling(collection) + "." + count), body, output);
    }

    /// <summary>
    /// <c>var layer = Layers[i];</c>: <c>layer</c> stands for the element at an index of its own, set at the declaration
    /// and at every assignment of another element of the same collection (<see cref="RebindModuleElement"/>), wherever the
    /// method calls one of its methods. False when the initializer is not an element of a collection of sub-modules.
    /// </summary>
    private bool TryDeclareModuleElement(IVariableDeclaratorOperation declarator, IOperation initializer, ImmutableArray<IrStatement>.Builder output)
    {
        if (Frame is not null || ModuleElementOf(initializer) is not { } element) return false;
        if (LowerElementIndex(element) is not { } index) return true;
        int id = AddVariable(declarator.Symbol.Name + "Index", IrType.Int32, VariableKind.Synthetic);
        output.Add(new IrAssign(Source(declarator.Syntax), id, index, IsDeclaration: true));
        _moduleAliases[declarator.Symbol] = (element.Collection, Read(id));
        return true;
    }

    /// <summary><c>layer = Layers[j];</c>: the local's index becomes <c>j</c>; another collection's element is a located error.</summary>
    private void RebindModuleElement(ILocalSymbol local, ISimpleAssignmentOperation assignment, SourceRef source, ImmutableArray<IrStatement>.Builder output)
    {
        var (collection, index) = _moduleAliases[local];
        if (ModuleElementOf(assignment.Value) is not { } element || !SymbolEqualityComparer.Default.Equals(element.Collection.Member, collection.Member))
        {
            ReportUnsupportedExpression(assignment.Value, "a value for the local '" + local.Name + "', which holds an element of the sub-modules '" + collection.Member.Name + "', that is not another of its elements",
                "assign '" + local.Name + "' an element of '" + collection.Member.Name + "' ('" + collection.Member.Name + "[i]'), or declare another local");
            return;
        }
        if (LowerElementIndex(element) is { } value) output.Add(new IrAssign(source, ((IrRead)index).Variable, value));
    }

    /// <summary><c>this.Layers</c> (with <c>!</c> when the member is declared nullable).</summary>
    private string ModuleCollectionSpelling(IMemberReferenceOperation collection) =>
        ReceiverPath(collection.Instance!) + "." + Identifiers.Escape(collection.Member.Name) + NullForgiving(collection.Member);

    /// <summary>A name in code kept as written that reads a collection of sub-modules of <c>this</c> or of a sub-module (<c>Layers</c>, <c>Encoder.Layers</c>).</summary>
    private bool IsModuleCollectionRead(IdentifierNameSyntax name, ISymbol symbol)
    {
        if (_frozen || Frame is not null || symbol.IsStatic || _method.IsStatic || SymbolFacts.HasNoDerivative(symbol)
            || ModuleCollection(symbol is IFieldSymbol field ? field.Type : (symbol as IPropertySymbol)?.Type) is null)
            return false;
        if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name && access.Expression is not ThisExpressionSyntax)
            return ModelFor(access).GetOperation(access.Expression, _cancellationToken) is { } owner && ReceiverPath(owner) is not null;
        return IsOwnMember(symbol);
    }

    /// <summary>
    /// A number computed by code kept as written from a collection of sub-modules or one of its elements
    /// (<c>Penalty(Layers)</c>): reported, since the gradient of the members it reads would be lost. Data (a count, an
    /// array's length) and statements run for their effect are fine.
    /// </summary>
    private bool ReportedModulesKeptAsWritten(IOperation operation, bool statement, string name)
    {
        if (statement || TypeMapping.Map(operation.Type) is not { IsReal: true }) return false;
        ReportUnsupportedExpression(operation, "a number computed from the sub-modules '" + name + "' by code the generator keeps as written, which would lose the gradient of their members",
            "compute it in a [Differentiable] method of the sub-modules' type and call that on each element");
        return true;
    }

    /// <summary>
    /// A differentiated member read through an element of a collection of sub-modules (<c>Layers[0].Bias[1]</c>,
    /// <c>layer.Gain</c>): reported, since its gradient could not reach <c>dThis</c>; never read as a constant.
    /// </summary>
    private bool ReportedElementMemberRead(IMemberReferenceOperation member, IrType type)
    {
        if (!type.IsReal || SymbolFacts.HasNoDerivative(member.Member) || ModuleElementOf(member.Instance) is not { } element) return false;
        string collection = element.Collection.Member.Name;
        ReportUnsupportedExpression(member,
            "'" + member.Member.Name + "' of an element of the sub-modules '" + collection + "', whose members are differentiated only inside their own [Differentiable] methods",
            "read '" + member.Member.Name + "' in a [Differentiable] method of '" + member.Member.ContainingType.Name + "' and call that on the element ('" + collection + "[i].Method(…)'), or mark '" + member.Member.Name + "' [NoDerivative]");
        return true;
    }
}
