using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// Instance methods differentiate the members of <c>this</c> they read, as PyTorch's modules do their parameters and
/// Clad its <c>_d_this</c>: a <c>double</c>/<c>float</c> field or auto-property, or an array of them, not marked
/// <c>[NoDerivative]</c>, becomes a <see cref="VariableKind.Member"/> variable whose gradient the caller receives in
/// <c>dThis</c>. A member is never silently a constant: one that cannot receive a gradient (readonly scalar, computed
/// property) is a located error that says to mark it. Calls of <c>[Differentiable]</c> methods of <c>this</c> and of
/// sub-modules (member objects) pass the matching part of <c>dThis</c> on.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The member variables by their path from <c>this</c> (<c>B</c>, <c>Fc1.Weight</c>).</summary>
    private readonly Dictionary<string, int> _members = new(System.StringComparer.Ordinal);

    /// <summary>What the gradient checks of <c>dThis</c> before writing: this method's array members and its callees' checks.</summary>
    private readonly SortedDictionary<string, MemberCheck> _thisChecks = new(System.StringComparer.Ordinal);

    /// <summary>Whether the method differentiates members, its own or through calls: it then takes <c>dThis</c>.</summary>
    private bool _differentiatesMembers;

    /// <summary>
    /// <c>this</c>, or <c>this.Fc1</c> for a sub-module (a chain of fields and properties from <c>this</c>); null for any
    /// other receiver. A chain through a <c>[NoDerivative]</c> member is still a path: its members are data.
    /// </summary>
    private string? ReceiverPath(IOperation instance) => instance switch
    {
        IInstanceReferenceOperation => "this",
        // Through sub-modules only (objects): a struct member would be copied by a property, and cannot be null-checked.
        IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }
            when instance.Type?.TypeKind == TypeKind.Class
            && ((IMemberReferenceOperation)instance).Instance is { } inner && ReceiverPath(inner) is { } path
            => path + "." + Identifiers.Escape(((IMemberReferenceOperation)instance).Member.Name) + NullForgiving(((IMemberReferenceOperation)instance).Member),
        _ => null,
    };

    /// <summary>Whether some member on the receiver chain (<c>Fc1</c> of <c>this.Fc1.Weight</c>) is marked <c>[NoDerivative]</c>.</summary>
    private static bool ThroughConstant(IOperation? instance) => instance is IMemberReferenceOperation member
        && (SymbolFacts.HasNoDerivative(member.Member) || ThroughConstant(member.Instance));

    /// <summary>
    /// A real field or property of <c>this</c> or of a sub-module (<paramref name="receiver"/> is <c>this</c> or
    /// <c>this.Fc1</c>) as a differentiated member, or null when it is data (integers, <c>[NoDerivative]</c>).
    /// </summary>
    /// <param name="leafPath">For a struct member: the path of one of its scalars (<c>X</c> of <c>Pos.X</c>).</param>
    /// <param name="rank">2 for a two-dimensional array member, read through its flat view.</param>
    /// <param name="jagged">For an array of arrays (<c>double[][]</c>), whose elements sit at <see cref="IrRowIndex"/> positions.</param>
    private IrExpression? LowerThisMember(IMemberReferenceOperation reference, IrType type, string receiver, out bool isData, string leafPath = "", int rank = 1, bool jagged = false)
    {
        isData = false;
        var member = reference.Member;
        if (_frozen || !type.IsReal || SymbolFacts.HasNoDerivative(member) || ThroughConstant(reference.Instance) || type.Shape is ShapeKind.Span or ShapeKind.ReadOnlySpan || _method.IsStatic)
        {
            isData = true;
            return null;
        }
        // An array member declared nullable (double[]? W) is dereferenced as the user's code does, without warnings.
        string path = (receiver == "this" ? "" : receiver.Substring("this.".Length) + ".") + Identifiers.Escape(member.Name) + (type.IsBuffer ? NullForgiving(member) : "")
            + (leafPath.Length == 0 ? "" : "." + string.Join(".", leafPath.Split('.').Select(Identifiers.Escape)));
        if (_members.TryGetValue(path, out int known)) return Read(known);

        string why = leafPath.Length > 0 ? "" : member switch
        {
            IPropertySymbol property when !SymbolFacts.IsAutoProperty(property) => "the computed property '" + member.Name + "', whose getter is not differentiated",
            IPropertySymbol { SetMethod: null } when !type.IsBuffer => "the get-only property '" + member.Name + "', into which dThis cannot add its gradient",
            IPropertySymbol { SetMethod.IsInitOnly: true } when !type.IsBuffer => "the init-only property '" + member.Name + "', into which dThis cannot add its gradient",
            IFieldSymbol { IsReadOnly: true } when !type.IsBuffer => "the readonly field '" + member.Name + "', into which dThis cannot add its gradient",
            _ => "",
        };
        if (why.Length > 0)
        {
            ReportUnsupportedExpression(reference, why,
                "mark '" + member.Name + "' [NoDerivative] to read it as a constant, or make it a settable field or auto-property to differentiate it");
            return null;
        }

        string baseName = path.Replace("@", "").Replace("!", "").Replace(".", "_");
        string unique = baseName;
        for (int i = 2; !_names.Add(unique); i++) unique = baseName + "_" + i;
        int id = _variables.Count;
        string declared = leafPath.Length > 0 ? type.Keyword : (member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        _variables.Add(new IrVariable(id, Identifiers.Escape(unique), type, VariableKind.Member, NoDerivative: false, declared, path, Rank: rank, Jagged: jagged));
        if (rank > 1) _names.Add(IrVariable.FlatName(_variables[id].Name));
        _members[path] = id;
        _differentiatesMembers = true;
        // dThis must have every sub-module on the way (Fc1 of Fc1.Weight), and an array member as long as this one.
        string objectPath = leafPath.Length == 0 ? path : path.Substring(0, path.Length - leafPath.Length - 1);
        for (int dot = objectPath.IndexOf('.'); dot >= 0; dot = objectPath.IndexOf('.', dot + 1))
            _thisChecks[objectPath.Substring(0, dot)] = new MemberCheck(objectPath.Substring(0, dot), MemberCheckKind.Object);
        if (type.IsBuffer) _thisChecks[path] = new MemberCheck(path, jagged ? MemberCheckKind.Jagged : rank > 1 ? MemberCheckKind.Matrix : MemberCheckKind.Array);
        return Read(id);
    }

    /// <summary>
    /// The receiver of a call of an instance <c>[Differentiable]</c> method: <c>this</c>, a sub-module (a field or
    /// property of <c>this</c> holding an object), or an element of a collection of them (<c>Layers[i]</c>, see
    /// <see cref="ModuleElementOf"/>: the receiver and path are then the collection's); its path from <c>dThis</c>
    /// (<c>""</c>, <c>".Fc1"</c>, <c>".Layers"</c>); null otherwise.
    /// </summary>
    private (string Receiver, string Path, IMemberReferenceOperation? Member, ModuleElement? Element)? InstanceReceiver(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        if (ModuleElementOf(invocation.Instance) is { } element)
        {
            // The elements of a sub-module's collection (Encoder.Layers[i]) are another object's, as Encoder.Fc1 is.
            if (element.Collection.Instance is not IInstanceReferenceOperation) return null;
            string collection = Identifiers.Escape(element.Collection.Member.Name) + NullForgiving(element.Collection.Member);
            return ("this." + collection, "." + collection, element.Collection, element);
        }
        switch (invocation.Instance)
        {
            case IInstanceReferenceOperation when SymbolEqualityComparer.Default.Equals(target.ContainingType, _method.ContainingType):
                return ("this", "", null, null);
            case IFieldReferenceOperation { Instance: IInstanceReferenceOperation } or IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property.IsIndexer: false }
                when !_method.IsStatic:
                var member = (IMemberReferenceOperation)invocation.Instance;
                string name = Identifiers.Escape(member.Member.Name) + NullForgiving(member.Member);
                return ("this." + name, "." + name, member, null);
            default:
                return null;
        }
    }

    /// <summary>
    /// Records that a call passes part of <c>dThis</c> to a callee that differentiates its members; on an element of a
    /// collection of sub-modules (<paramref name="element"/>), the callee's checks hold for every element
    /// (<c>Layers[].Weight</c>, see <see cref="MemberCheck"/>).
    /// </summary>
    private void CallsMemberDifferentiatingMethod(string path, IMemberReferenceOperation? subModule, MethodShape callee, bool element = false)
    {
        _differentiatesMembers = true;
        string prefix = path.Length == 0 ? "" : path.Substring(1);
        if (subModule is not null)
            _thisChecks[prefix] = element && ModuleCollection(subModule.Type) is var (elementType, count)
                ? new MemberCheck(prefix, MemberCheckKind.Elements, count, elementType.NullableAnnotation == NullableAnnotation.Annotated)
                : new MemberCheck(prefix, MemberCheckKind.Object);
        if (element) prefix += MemberCheck.EachElement;
        foreach (var check in callee.ThisChecks)
        {
            string checkPath = prefix.Length == 0 ? check.Path : prefix + "." + check.Path;
            _thisChecks[checkPath] = check with { Path = checkPath };
        }
    }

    /// <summary>The shape's <c>dThis</c>: the instance's type when the method differentiates members.</summary>
    private MethodShape WithThisGradient(MethodShape shape)
    {
        if (_elementCall is { } call && !_differentiatesMembers && (_forward || shape.EmitJacobian))
            Report(DiagnosticDescriptors.UnsupportedStatement, call, _method.Name,
                (_forward ? "forward mode" : "the Jacobian") + " of a method that calls a method of an element of a collection of sub-modules, not supported yet",
                "remove " + (_forward ? "Forward" : "Jacobian") + " = true");
        if (!_differentiatesMembers || _method.IsStatic) return shape;
        if (_forward || shape.EmitJacobian)
            Report(DiagnosticDescriptors.UnsupportedStatement, _syntax.Identifier.GetLocation(), _method.Name,
                (_forward ? "forward mode" : "the Jacobian") + " of a method that differentiates members of this, not supported yet",
                "remove " + (_forward ? "Forward" : "Jacobian") + " = true, or mark the members [NoDerivative]");
        return shape with
        {
            ThisType = _method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            ThisIsStruct = _method.ContainingType.IsValueType,
            ThisChecks = _thisChecks.Values.ToEquatableArray(),
        };
    }

    /// <summary>A sub-module declared nullable (<c>Lin? A</c>) is dereferenced as the user's code does, without warnings.</summary>
    private static string NullForgiving(ISymbol member) =>
        (member is IFieldSymbol f ? f.Type : (member as IPropertySymbol)?.Type)?.NullableAnnotation == NullableAnnotation.Annotated ? "!" : "";

}
