namespace Backprop.Generator.Ir;

/// <summary>The element type of an IR value.</summary>
internal enum ScalarKind
{
    Double,
    Float,
    Int32,
    Int64,
    Boolean,
}

/// <summary>Whether an IR value is one scalar or a buffer of them.</summary>
internal enum ShapeKind
{
    Scalar,
    Array,
    Span,
    ReadOnlySpan,
}

/// <summary>The type of an IR variable or expression.</summary>
internal sealed record IrType(ScalarKind Scalar, ShapeKind Shape)
{
    public static readonly IrType Double = new(ScalarKind.Double, ShapeKind.Scalar);
    public static readonly IrType Float = new(ScalarKind.Float, ShapeKind.Scalar);
    public static readonly IrType Int32 = new(ScalarKind.Int32, ShapeKind.Scalar);
    public static readonly IrType Int64 = new(ScalarKind.Int64, ShapeKind.Scalar);
    public static readonly IrType Boolean = new(ScalarKind.Boolean, ShapeKind.Scalar);

    public bool IsReal => Scalar is ScalarKind.Double or ScalarKind.Float;

    public bool IsRealScalar => IsReal && Shape == ShapeKind.Scalar;

    public bool IsBuffer => Shape != ShapeKind.Scalar;

    public IrType Element => Shape == ShapeKind.Scalar ? this : new IrType(Scalar, ShapeKind.Scalar);

    /// <summary>The C# keyword of the element type.</summary>
    public string ScalarKeyword => Scalar switch
    {
        ScalarKind.Double => "double",
        ScalarKind.Float => "float",
        ScalarKind.Int32 => "int",
        ScalarKind.Int64 => "long",
        _ => "bool",
    };

    /// <summary>The C# spelling of the whole type.</summary>
    public string Keyword => Shape switch
    {
        ShapeKind.Scalar => ScalarKeyword,
        ShapeKind.Array => ScalarKeyword + "[]",
        ShapeKind.Span => "global::System.Span<" + ScalarKeyword + ">",
        _ => "global::System.ReadOnlySpan<" + ScalarKeyword + ">",
    };

    /// <summary>The C# spelling of the gradient buffer of a real buffer of this type.</summary>
    public string GradientSpanKeyword => "global::System.Span<" + ScalarKeyword + ">";
}
