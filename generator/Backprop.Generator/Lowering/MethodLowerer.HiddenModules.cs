using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Diagnostics;
using Backprop.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Lowering;

/// <summary>
/// A module reached by anything but a member path from <c>this</c>. The numbers of the model and of its sub-modules are
/// differentiated when they are read through a path (<c>Gain</c>, <c>Sub.Gain</c>, <c>Layers[i].W</c>): that is how the
/// gradient knows where in <c>dThis</c> each one goes. Read through an alias (<c>var s = Sub; s.Gain</c>, <c>var me = this</c>
/// in a helper), a call's result (<c>Get().Gain</c>), a conditional (<c>(useA ? A : B).Gain</c>, <c>Sub?.Gain</c>), or a
/// parameter a module was passed to (<c>Helper(this, x)</c>), the same numbers would be data: constants, silently. Each such
/// read, call or argument is reported instead (BPG014), with the path that works.
/// </summary>
internal sealed partial class MethodLowerer
{
    /// <summary>The classes of <c>this</c> and of its sub-modules that hold differentiated numbers (see <see cref="IsModuleType"/>).</summary>
    private HashSet<ITypeSymbol>? _moduleTypes;

    /// <summary>
    /// Whether <paramref name="type"/> is (or derives from) a class whose numbers a path from <c>this</c> differentiates: the
    /// method's own class and the classes of its members, of their members and of the elements of its collections of
    /// sub-modules, declared in source and holding a number not marked <c>[NoDerivative]</c>. Never in a static method (no
    /// <c>dThis</c>) or a frozen variant (every member is data there).
    /// </summary>
    private bool IsModuleType(ITypeSymbol? type)
    {
        if (_method.IsStatic || _frozen || type is not INamedTypeSymbol { TypeKind: TypeKind.Class }) return false;
        _moduleTypes ??= ModuleTypes(_method.ContainingType);
        for (var t = type; t is not null; t = t.BaseType)
            if (_moduleTypes.Contains(t.OriginalDefinition)) return true;
        return false;
    }

    private static HashSet<ITypeSymbol> ModuleTypes(INamedTypeSymbol root)
    {
        // The classes declared in source that members of the root reach (directly, or as elements of collections of sub-modules).
        var reachable = new List<INamedTypeSymbol>();
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<INamedTypeSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (!seen.Add(type.OriginalDefinition)) continue;
            reachable.Add(type);
            foreach (var memberType in InstanceMemberTypes(type))
                if (ClassIn(memberType) is { } inner) pending.Push(inner);
        }
        // Of those, the ones that hold numbers, themselves or through a member that is one of them (to a fixed point: an
        // encoder holds layers that hold weights); the root always counts.
        var modules = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default) { root.OriginalDefinition };
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var type in reachable)
                if (!modules.Contains(type.OriginalDefinition) && InstanceMemberTypes(type).Any(t => SymbolFacts.HoldsFloatingPoint(t) || ClassIn(t) is { } inner && modules.Contains(inner.OriginalDefinition)))
                    grew = modules.Add(type.OriginalDefinition);
        }
        return modules;
    }

    /// <summary>The class a member of this type holds, declared in source: the type itself, or the element of a collection of sub-modules.</summary>
    private static INamedTypeSymbol? ClassIn(ITypeSymbol type) =>
        (ModuleCollection(type)?.Element ?? type) is INamedTypeSymbol { TypeKind: TypeKind.Class, SpecialType: SpecialType.None } named && named.Locations.Any(l => l.IsInSource)
            ? named : null;

    /// <summary>The types of a class's instance fields and properties (its base classes' too) not marked <c>[NoDerivative]</c>.</summary>
    private static IEnumerable<ITypeSymbol> InstanceMemberTypes(INamedTypeSymbol type)
    {
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            foreach (var member in t.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared || SymbolFacts.HasNoDerivative(member)) continue;
                if (member is IFieldSymbol { IsConst: false } field) yield return field.Type;
                else if (member is IPropertySymbol { IsIndexer: false } property) yield return property.Type;
            }
    }

    /// <summary>
    /// Reports a member read, or a call, whose receiver is a module reached by anything but a path from <c>this</c>
    /// (see the type's summary); true when it did. A member that is data however it is read (an integer, a
    /// <c>[NoDerivative]</c> member, a string) is not reported.
    /// </summary>
    private bool ReportedHiddenModule(IOperation reference, IOperation? receiver)
    {
        if (receiver is null || receiver.Type is not { } type || !IsModuleType(type) || ReceiverPath(receiver) is not null || ModuleElementOf(receiver) is not null) return false;
        if (reference is IMemberReferenceOperation member && (SymbolFacts.HasNoDerivative(member.Member) || !HoldsNumbers(member.Type))) return false;
        // A conditional access (Sub?.Gain) is shown and located whole.
        var shown = reference;
        if (receiver is IConditionalAccessInstanceOperation)
            for (var up = reference.Parent; up is not null; up = up.Parent)
                if (up is IConditionalAccessOperation access) { shown = access; break; }
        string through = Text(receiver);
        string name = reference is IInvocationOperation call ? call.TargetMethod.Name + "(…)" : ((IMemberReferenceOperation)reference).Member.Name;
        string what = (reference is IInvocationOperation ? "a call of '" + name + "'" : "a member read") + " through '" + through
            + "', which does not reach the module by a member path from 'this', so its numbers would be constants";
        string path = SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _method.ContainingType.OriginalDefinition) ? "'this." + name + "'"
            : Holder(type) is { } holder ? "'" + holder + "." + name + "'"
            : "the path of members from 'this' that holds the module";
        // A choice between modules (useA ? A : B) is a choice between two paths: an if statement makes each one a path.
        string advice = WithoutConversions(receiver) is IConditionalOperation { WhenFalse: { } otherwise } choice
            && ReceiverPath(WithoutConversions(choice.WhenTrue)) is not null && ReceiverPath(WithoutConversions(otherwise)) is not null
            ? "choose with an if statement, each branch through its own path: 'if (" + Text(choice.Condition) + ") … " + Text(choice.WhenTrue) + "." + name + " …; else … "
                + Text(otherwise) + "." + name + " …;'"
            : "write " + path + " instead of going through a local, a call's result, a conditional or a parameter; or mark the member [NoDerivative] if its numbers are data";
        Report(DiagnosticDescriptors.UnsupportedExpression, shown.Syntax.GetLocation(), Text(shown), what, advice);
        return true;
    }

    /// <summary>
    /// The member of the method's class that holds a module of this type (<c>Sub</c>), for the advice; null when none or
    /// several do (<c>A</c> and <c>B</c>, or a collection: the advice then names no member it would have to guess).
    /// </summary>
    private string? Holder(ITypeSymbol type)
    {
        string? found = null;
        for (var t = _method.ContainingType; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            foreach (var member in t.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } f => f.Type,
                    IPropertySymbol { IsStatic: false, IsIndexer: false } p => p.Type,
                    _ => null,
                };
                if (memberType is null) continue;
                bool holds = SymbolEqualityComparer.Default.Equals(memberType.OriginalDefinition, type.OriginalDefinition);
                if (holds && found is not null || ModuleCollection(memberType) is { Element: var element } && SymbolEqualityComparer.Default.Equals(element.OriginalDefinition, type.OriginalDefinition))
                    return null;
                if (holds) found = member.Name;
            }
        return found;
    }

    /// <summary>
    /// <see cref="ReportedHiddenModule"/> for the first member read or call inside code kept as written
    /// (<c>Sub?.Gain ?? 0</c>, whose conditional access reaches <c>Gain</c> through no path).
    /// </summary>
    private bool ReportedHiddenModuleIn(IOperation operation)
    {
        // Code over a collection of sub-modules (Layers.Sum(l => l.Score(x))) is reported as such where it is respelled.
        if (_method.IsStatic || _frozen || operation.DescendantsAndSelf().Any(o => ModuleCollectionMember(o) is not null)) return false;
        foreach (var inner in operation.DescendantsAndSelf())
        {
            var receiver = inner switch
            {
                IMemberReferenceOperation member => member.Instance,
                IInvocationOperation call when call.TargetMethod.ReturnsVoid || HoldsNumbers(call.TargetMethod.ReturnType) => call.Instance,
                _ => null,
            };
            if (ReportedHiddenModule(inner, receiver)) return true;
        }
        return false;
    }

    /// <summary>
    /// Reports a module (<c>this</c>, a sub-module) passed as an argument to a method of this compilation whose parameter is
    /// not <c>[NoDerivative]</c>: the callee would read its numbers as constants. True when it reported one.
    /// </summary>
    private bool ReportedModuleArgument(IInvocationOperation invocation)
    {
        if (!invocation.TargetMethod.Locations.Any(l => l.IsInSource)) return false;
        bool reported = false;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not { } parameter || SymbolFacts.HasNoDerivative(parameter) || !IsModuleType(WithoutConversions(argument.Value).Type)) continue;
            Report(DiagnosticDescriptors.UnsupportedExpression, argument.Syntax.GetLocation(), Text(argument.Value),
                "the module '" + Text(argument.Value) + "' passed to '" + invocation.TargetMethod.Name + "', which would read its numbers as constants",
                "pass the numbers '" + invocation.TargetMethod.Name + "' needs as parameters, or make it a method of the module that reads them through 'this'; mark '"
                + parameter.Name + "' [NoDerivative] if they are data");
            reported = true;
        }
        return reported;
    }

    /// <summary>
    /// Reports a call of an unmarked method on a module (<c>Helper(x)</c> on <c>this</c>) that could not be differentiated
    /// although its body reads the module's numbers: run as written, those numbers would be constants. A helper that reads
    /// none of them runs as written, as any call on data. True when it reported.
    /// </summary>
    private bool ReportedOpaqueModuleCall(IInvocationOperation invocation)
    {
        var target = invocation.TargetMethod;
        if (invocation.Instance is not { } receiver || !IsModuleType(receiver.Type) || !ReadsModuleNumbers(target)) return false;
        Report(DiagnosticDescriptors.UnsupportedExpression, invocation.Syntax.GetLocation(), Text(invocation),
            "a call of '" + target.Name + "', which reads numbers of the module it is called on but cannot be differentiated itself, so they would be constants",
            "mark '" + target.Name + "' [Differentiable] to see what stops it, or read the numbers here and pass them to '" + target.Name + "' as parameters");
        return true;
    }

    /// <summary>Whether the method's body reads, through <c>this</c>, a member holding numbers, calls another method on <c>this</c>, or lets <c>this</c> escape.</summary>
    private bool ReadsModuleNumbers(IMethodSymbol method)
    {
        if (method.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax syntax)
            return false;
        SyntaxNode? body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
        if (body is null || ModelFor(syntax).GetOperation(body, _cancellationToken) is not { } operation) return false;
        return operation.DescendantsAndSelf().Any(o => o is IInstanceReferenceOperation
            && !(o.Parent is IMemberReferenceOperation { Member: var member } read && read.Instance == o && (SymbolFacts.HasNoDerivative(member) || !HoldsNumbers(read.Type))));
    }

    /// <summary>Whether a member of this type carries numbers a path from <c>this</c> differentiates (or reports): floating-point values of any shape, or modules.</summary>
    private bool HoldsNumbers(ITypeSymbol? type) =>
        type is not null && (SymbolFacts.HoldsFloatingPoint(type) || IsModuleType(type) || ModuleCollection(type) is not null);
}
