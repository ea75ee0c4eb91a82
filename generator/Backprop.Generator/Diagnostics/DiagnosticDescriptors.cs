using Microsoft.CodeAnalysis;

namespace Backprop.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports. IDs are never reused; each has a page under docs/diagnostics/.</summary>
internal static class DiagnosticDescriptors
{
    public const string Category = "Backprop.Differentiation";

    private const string HelpRoot = "https://github.com/backprop-gen/backprop-gen/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "BPG001",
        "Containing type must be partial",
        "Cannot generate the gradient of '{0}': its containing type '{1}' is not partial; declare it 'partial' so the generated gradient can be added beside the method",
        "The gradient is emitted into the same type as the method, which requires every enclosing type to be declared partial.");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "BPG002",
        "Unsupported return type",
        "Cannot differentiate '{0}': it returns '{1}'; a [Differentiable] method returns double or float, or is a void layer that writes its results into Span<T> parameters",
        "Only scalar double or float results, or void layers writing into span outputs, can be differentiated.");

    public static readonly DiagnosticDescriptor UnsupportedParameter = Error(
        "BPG003",
        "Unsupported parameter modifier",
        "Cannot differentiate '{0}': parameter '{1}' is passed by '{2}'; {3}",
        "ref, out, in and params parameters are not supported by the differentiator.");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "BPG004",
        "Generic methods are not supported",
        "Cannot differentiate '{0}': a generic [Differentiable] method is not supported; remove [Differentiable] and call it from a non-generic [Differentiable] method, which differentiates it for the double or float it is given, or write one method per element type",
        "The generator emits concrete code for double or float; type parameters cannot be differentiated.");

    public static readonly DiagnosticDescriptor AsyncOrIterator = Error(
        "BPG005",
        "Async and iterator methods are not supported",
        "Cannot differentiate '{0}': {1} methods are not supported; make it a synchronous method that returns the value",
        "Async methods and iterators cannot be differentiated.");

    public static readonly DiagnosticDescriptor Lambda = Error(
        "BPG006",
        "Lambdas are not supported",
        "Cannot differentiate a lambda or anonymous method; move its body into a [Differentiable] method and call that",
        "Anonymous functions inside a [Differentiable] method are not differentiated.");

    public static readonly DiagnosticDescriptor LocalFunction = Error(
        "BPG007",
        "A local function marked [Differentiable]",
        "Cannot differentiate local function '{0}'; make it a separate [Differentiable] method and call that",
        "A local function is differentiated by inlining its body where it is called; it cannot have a gradient of its own, so [Differentiable] on it is an error.");

    public static readonly DiagnosticDescriptor ExceptionHandling = Error(
        "BPG008",
        "Exception handling is not supported",
        "Cannot differentiate a '{0}' statement; move it out of the [Differentiable] method (validate inputs before calling it)",
        "try, catch, finally, using and lock statements are not supported in a [Differentiable] method.");

    public static readonly DiagnosticDescriptor Goto = Error(
        "BPG009",
        "goto is not supported",
        "Cannot differentiate a '{0}' statement; rewrite it with if, loops, break or continue",
        "Unstructured control flow cannot be reversed by the generator.");

    public static readonly DiagnosticDescriptor UnknownCall = Error(
        "BPG010",
        "Call has no known derivative",
        "Cannot differentiate the call to '{0}': its derivative is unknown; {1}",
        "Only calls of System.Math/MathF functions with a derivative rule and of other [Differentiable] methods can take values that depend on differentiated parameters. Calls whose arguments are all constant are allowed.");

    public static readonly DiagnosticDescriptor Recursion = Error(
        "BPG011",
        "Recursion through an inlined method",
        "Cannot differentiate '{0}': it calls itself, and {1} is differentiated by inlining its body; rewrite the recursion as a loop, or {2}",
        "Recursive methods are differentiated through pullbacks that call themselves, except methods that take or return structs and local functions, which are inlined.");

    public static readonly DiagnosticDescriptor ForEach = Error(
        "BPG012",
        "Unsupported foreach",
        "Cannot differentiate a 'foreach' loop over '{0}': {1}",
        "foreach over an array or a span is the indexed loop it stands for; over any other collection (a List<T>, an IEnumerable<T>, a string) it runs as written through the collection's enumerator, as long as its values carry no derivative.");

    public static readonly DiagnosticDescriptor Switch = Error(
        "BPG013",
        "Unsupported switch",
        "Cannot differentiate this {0}: {1}; {2}",
        "Switch statements and expressions become the if/else chains they mean. A switch expression needs an arm for every value (a discard arm '_ =>'), a switch section may leave only at its end, and a switch cannot choose between buffers.");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "BPG014",
        "Unsupported expression",
        "Cannot differentiate the expression '{0}' ({1}); {2}",
        "The expression is outside the supported subset: arithmetic, comparisons, conversions, System.Math calls, conditionals, element reads and calls of [Differentiable] methods.");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "BPG015",
        "Unsupported statement",
        "Cannot differentiate the statement '{0}' ({1}); {2}",
        "The statement is outside the supported subset: declarations, assignments, if/else, loops, break, continue and return.");

    public static readonly DiagnosticDescriptor ZeroDerivative = new(
        "BPG016",
        "Result does not depend on a differentiable parameter",
        "The result of '{0}' does not depend on parameter '{1}', which will always have a zero derivative; mark it [NoDerivative] if that is intended",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A differentiable parameter that cannot influence the result always gets a zero gradient; this is usually a bug in the model.",
        helpLinkUri: HelpRoot + "BPG016.md");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "BPG017",
        "Internal generator error",
        "The generator failed on '{0}': {1}; please report this with the method's source",
        "An exception inside the generator. No gradient was emitted for the method.");

    public static readonly DiagnosticDescriptor UnsupportedLocalType = Error(
        "BPG018",
        "Unsupported local variable type",
        "Cannot differentiate local '{0}' of type '{1}'; {2}",
        "Locals of types the generator does not model (strings, collections, enums, objects) run as written but carry no derivative: one that holds values computed from differentiated ones must not pass them back into the result.");

    public static readonly DiagnosticDescriptor Throw = Error(
        "BPG019",
        "throw is not supported",
        "Cannot differentiate a 'throw'; validate arguments in a wrapper before calling the [Differentiable] method",
        "throw statements and expressions are not supported in a [Differentiable] method yet.");

    public static readonly DiagnosticDescriptor UnsupportedStore = Error(
        "BPG021",
        "Unsupported element write",
        "Cannot differentiate the write to '{0}'; {1}",
        "Writes into buffers are not supported yet in a [Differentiable] method.");

    public static readonly DiagnosticDescriptor MemberWrite = Error(
        "BPG023",
        "Writes to fields and properties are not supported",
        "Cannot differentiate the assignment to '{0}'; a [Differentiable] method may only assign its own locals and parameters",
        "Side effects on fields or properties cannot be reversed.");

    public static readonly DiagnosticDescriptor InvalidGradientName = Error(
        "BPG024",
        "Invalid gradient name",
        "GradientName '{0}' cannot name the gradient method: it must be a C# identifier that is not a keyword and differs from the method's own name",
        "GradientName must be a valid C# identifier that does not collide with the method itself.");

    public static readonly DiagnosticDescriptor GradientNameCollision = Error(
        "BPG025",
        "Gradient name is already used",
        "Cannot emit the gradient of '{0}': the name '{1}' is already taken by {2}; {3}",
        "The generated gradient and pullback methods are added to the containing type; their names must not collide with existing members or with another method's gradient of the same signature.");

    public static readonly DiagnosticDescriptor CalleeNotDifferentiable = Error(
        "BPG026",
        "Called method cannot be differentiated",
        "Cannot differentiate the call to '{0}': its own gradient cannot be generated; fix the errors reported on '{0}' first",
        "The chain rule goes through the callee's generated pullback, which exists only when the callee itself can be differentiated.");

    public static readonly DiagnosticDescriptor NestedBuffer = Error(
        "BPG027",
        "Buffer length unknown at the start of the method",
        "Cannot differentiate the buffer '{0}' declared inside a block or after a return: its length must be known when the method starts; size it with constants, lengths of parameters or int parameters the method does not assign",
        "A buffer declared in a loop, a branch or after a return is allocated once at the start of the method (and zero-filled where it is declared), beside its gradient buffer, so its length must be computable there.");

    public static readonly DiagnosticDescriptor OutputAlsoRead = Error(
        "BPG028",
        "Output span is also read",
        "Cannot differentiate '{0}': the span '{1}' is written and also read; read inputs from one span and write results into another",
        "A layer's output spans receive its results; reading them too would alias inputs and outputs, which the reverse sweep cannot untangle.");

    public static readonly DiagnosticDescriptor ActiveIndex = Error(
        "BPG029",
        "Index depends on a differentiated value",
        "Cannot differentiate the index '{0}': it depends on a differentiated value, and an index has no derivative; compute the index from integers or [NoDerivative] inputs",
        "Which element is read or written must not depend on the values being differentiated: the derivative through an index is zero almost everywhere and undefined at each jump, which is almost always a modelling error.");

    public static readonly DiagnosticDescriptor NonDifferentiableArgument = Error(
        "BPG030",
        "Differentiated value passed to a [NoDerivative] parameter",
        "Cannot differentiate through the argument '{0}' of '{1}': it depends on differentiated values, but the parameter '{2}' is marked [NoDerivative], so its derivative would be lost; remove [NoDerivative] from '{2}'{3}",
        "A [NoDerivative] parameter of a [Differentiable] method gets no gradient: the callee's pullback does not compute one. An argument that carries a derivative would silently contribute zero, so the call is rejected instead.");

    public static readonly DiagnosticDescriptor CustomRuleMismatch = Error(
        "BPG031",
        "Custom derivative does not match its original",
        "The rule '{0}' does not match '{1}': a [DerivativeOf] rule of it must be '{2}'",
        "A [DerivativeOf] reverse rule takes the original's parameters, its result, the result's adjoint, then one gradient per differentiable parameter (ref T for a scalar, Span<T> for a span or array), and returns void. A rule of a layer (a void method writing Span<T> outputs) takes the original's parameters, each output's adjoint (ReadOnlySpan<T> when the original overwrites every entry; Span<T> when the rule consumes it, zeroing the entries the original writes, as a generated backward does), then the inputs' gradients. A tangent rule (forward mode) takes the original's parameters, one tangent per differentiable parameter (T for a scalar, ReadOnlySpan<T> for a span or array) and 'out T tResult', and returns the value.");

    public static readonly DiagnosticDescriptor HessianNotSupported = Error(
        "BPG032",
        "Hessian = true is not supported for this method",
        "'{0}' cannot get Hessian = true: {1}; or remove Hessian = true",
        "Hessian-vector products and Hessians are built by forward mode over the method's body, with the bodies of the static methods it calls inlined, then reverse mode over that (reverse over forward). They cover scalar methods over scalars, spans, arrays and local buffers, with loops, branches and calls of static helpers and layers; not layers themselves, members of 'this', callees with a [DerivativeOf] rule, recursion, or a callee of another type that reads members the method may not see.");

    public static readonly DiagnosticDescriptor SecondOrderCall = Error(
        "BPG033",
        "A generated derivative called inside a [Differentiable] method",
        "'{0}' is a derivative Backprop.Gen generates for '{1}': differentiating it would be a second-order derivative, which does not go through a call; for Hessian-vector products put [Differentiable(Hessian = true)] on '{1}' and call {1}HessianVectorProduct, or, to use its value as data, compute it outside this method and pass it in as a [NoDerivative] parameter",
        "Generated derivatives (MGradient, MPullback, MTangent, MJacobian, …) are not differentiated again. Second derivatives come from [Differentiable(Hessian = true)]: MHessianVectorProduct and MHessian, built by reverse mode over forward mode.");

    public static readonly DiagnosticDescriptor UndifferentiableParameterType = Error(
        "BPG034",
        "Parameter whose floating-point values cannot be differentiated",
        "Cannot differentiate '{0}': parameter '{1}' of type '{2}' holds floating-point values that would get a gradient, which this type cannot carry yet; mark it [NoDerivative] to use it as data, or pass the values as a flat ReadOnlySpan<{3}> (row by row for a matrix)",
        "Parameters are differentiated unless marked [NoDerivative]. Multi-dimensional and jagged arrays, collections, and arrays of structs whose numbers are not all one type (or whose layout is not sequential) have no gradient form yet, so such a parameter must be marked [NoDerivative] (it is then data, read as written) or passed as a flat span.");

    public static readonly DiagnosticDescriptor ForwardNotSupported = Error(
        "BPG035",
        "Forward = true is not supported for this method",
        "'{0}' cannot get Forward = true: {1}; or remove Forward = true",
        "Forward mode (MTangent, and MJacobian's forward sweeps) follows a call through the callee's own MTangent when the callee has Forward = true, and otherwise inlines the callee's body, recursively: unmarked helpers, [Differentiable] methods without Forward = true, value-returning or layers. A call it can neither follow nor inline is reported here: callees with a [DerivativeOf] rule, recursion, instance methods without Forward = true, methods that differentiate members of 'this', or a callee of another type that reads members the method may not see.");

    public static readonly DiagnosticDescriptor InPlaceLayerCall = Error(
        "BPG036",
        "Layer called with its output over its input",
        "Cannot differentiate '{0}': '{1}' would write its output '{2}' over its input '{3}' ({4}), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: '{5}'",
        "A layer's derivative reads its inputs as they were before the call and takes the input's gradient and the output's adjoint as separate spans, so a call whose output argument shares elements with an input argument (the same buffer, or slices of one buffer that are not provably disjoint) would get a wrong gradient. The generator does not copy the input itself: for a layer that reads an input element after writing an output element over it, running on a copy computes something else than running in place.");

    private static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> s_byId = Index();

    /// <summary>The descriptor with the given ID.</summary>
    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> Index()
    {
        var map = new System.Collections.Generic.Dictionary<string, DiagnosticDescriptor>();
        foreach (var field in typeof(DiagnosticDescriptors).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
        {
            if (field.GetValue(null) is DiagnosticDescriptor descriptor)
                map[descriptor.Id] = descriptor;
        }
        return map;
    }

    private static DiagnosticDescriptor Error(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: description, helpLinkUri: HelpRoot + id + ".md");
}
