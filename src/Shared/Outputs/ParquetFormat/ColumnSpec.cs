namespace ModernBert.Outputs.ParquetFormat;

/// <summary>The column shapes result files use. Every column is required (never null).</summary>
internal enum ColumnType
{
    /// <summary>UTF-8 string: BYTE_ARRAY annotated STRING.</summary>
    String,
    Int32,
    Float32,
    /// <summary>list&lt;float&gt;: a LIST group of required FLOAT elements.</summary>
    Float32List,
    /// <summary>list&lt;float16&gt;: a LIST group of required FIXED_LEN_BYTE_ARRAY(2) elements annotated FLOAT16.</summary>
    Float16List,
    /// <summary>list&lt;int32&gt;: a LIST group of required INT32 elements; or an int32 field of a list&lt;struct&gt; column.</summary>
    Int32List,
    /// <summary>list&lt;int8&gt;: a LIST group of required INT32 elements annotated INT_8.</summary>
    Int8List,
    /// <summary>list&lt;uint8&gt;: a LIST group of required INT32 elements annotated UINT_8.</summary>
    UInt8List,
    /// <summary>list&lt;list&lt;float&gt;&gt;: a LIST group of required LIST groups of required FLOAT elements.</summary>
    Float32ListList,
    /// <summary>list&lt;list&lt;float16&gt;&gt;: as <see cref="Float32ListList"/> with FIXED_LEN_BYTE_ARRAY(2) FLOAT16 elements.</summary>
    Float16ListList,
    /// <summary>A string field of a list&lt;struct&gt; column (<see cref="ColumnSpec.Struct"/>).</summary>
    StringList,
}

/// <summary>
/// One leaf column of a result file: a top-level column, or, when <see cref="Struct"/> names one, a field of that
/// top-level list&lt;struct&gt; column (a LIST group of required struct elements of required fields). The fields of
/// a list&lt;struct&gt; are consecutive leaves with the same <see cref="Struct"/>, whose list lengths agree per row.
/// </summary>
internal sealed record ColumnSpec(string Name, ColumnType Type, string? Struct = null)
{
    private const string ListGroupName = "list";
    private const string ElementName = "element";

    public bool IsList => Type is ColumnType.Float32List or ColumnType.Float16List or ColumnType.Int32List or ColumnType.Int8List or ColumnType.UInt8List
        or ColumnType.StringList || IsNestedList;

    /// <summary>Whether the column holds lists of lists (each row's inner lists of one length).</summary>
    public bool IsNestedList => Type is ColumnType.Float32ListList or ColumnType.Float16ListList;

    /// <summary>Whether the column's values are float16 (FIXED_LEN_BYTE_ARRAY(2)).</summary>
    public bool IsHalf => Type is ColumnType.Float16List or ColumnType.Float16ListList;

    /// <summary>Whether the column holds lists of INT32 values (int32, int8 or uint8).</summary>
    public bool IsIntegerList => Type is ColumnType.Int32List or ColumnType.Int8List or ColumnType.UInt8List;

    /// <summary>The leaf's path from the root, as column chunk metadata names it.</summary>
    public IReadOnlyList<string> Path => Struct is not null ? [Struct, ListGroupName, ElementName, Name]
        : IsNestedList ? [Name, ListGroupName, ElementName, ListGroupName, ElementName]
        : IsList ? [Name, ListGroupName, ElementName] : [Name];

    public PhysicalType PhysicalType => Type switch
    {
        ColumnType.String or ColumnType.StringList => PhysicalType.ByteArray,
        ColumnType.Int32 or ColumnType.Int32List or ColumnType.Int8List or ColumnType.UInt8List => PhysicalType.Int32,
        ColumnType.Float32 or ColumnType.Float32List or ColumnType.Float32ListList => PhysicalType.Float,
        ColumnType.Float16List or ColumnType.Float16ListList => PhysicalType.FixedLenByteArray,
        _ => throw new InvalidOperationException($"Unknown column type {Type}."),
    };

    /// <summary>Bytes per PLAIN-encoded value, or null for length-prefixed strings.</summary>
    public int? ValueWidth => Type switch
    {
        ColumnType.String or ColumnType.StringList => null,
        ColumnType.Float16List or ColumnType.Float16ListList => 2,
        _ => 4,
    };

    public string Describe() => Struct is not null ? $"{Name} {FieldType}" : Type switch
    {
        ColumnType.Float32List => $"{Name} list<float>",
        ColumnType.Float16List => $"{Name} list<float16>",
        ColumnType.Int32List => $"{Name} list<int32>",
        ColumnType.Int8List => $"{Name} list<int8>",
        ColumnType.UInt8List => $"{Name} list<uint8>",
        ColumnType.Float32ListList => $"{Name} list<list<float>>",
        ColumnType.Float16ListList => $"{Name} list<list<float16>>",
        _ => $"{Name} {FieldType}",
    };

    private string FieldType => Type switch
    {
        ColumnType.String or ColumnType.StringList => "string",
        ColumnType.Int32 or ColumnType.Int32List => "int32",
        ColumnType.Float32 or ColumnType.Float32List => "float",
        _ => throw new InvalidOperationException($"Column type {Type} cannot be a struct's field."),
    };

    /// <summary>The top-level columns, e.g. "id string, ..., entities list&lt;struct&lt;label string, score float&gt;&gt;".</summary>
    public static string Describe(IReadOnlyList<ColumnSpec> columns) => string.Join(", ", TopLevel(columns).Select(group =>
        group[0].Struct is string name ? $"{name} list<struct<{string.Join(", ", group.Select(field => field.Describe()))}>>" : group[0].Describe()));

    /// <summary>The leaves grouped by top-level column: one leaf, or the consecutive fields of one list&lt;struct&gt;.</summary>
    private static List<List<ColumnSpec>> TopLevel(IReadOnlyList<ColumnSpec> columns)
    {
        var groups = new List<List<ColumnSpec>>();
        foreach (ColumnSpec column in columns)
        {
            if (column.Struct is not null && groups.Count > 0 && groups[^1][0].Struct == column.Struct)
                groups[^1].Add(column);
            else
                groups.Add([column]);
        }
        return groups;
    }

    /// <summary>The Parquet schema: a root element followed by each column's elements, depth first.</summary>
    public static List<SchemaElement> ToSchemaElements(IReadOnlyList<ColumnSpec> columns)
    {
        List<List<ColumnSpec>> groups = TopLevel(columns);
        var elements = new List<SchemaElement> { new("schema", NumChildren: groups.Count) };
        foreach (List<ColumnSpec> group in groups)
        {
            ColumnSpec column = group[0];
            if (column.Struct is string structName)
            {
                elements.Add(new(structName, Repetition: FieldRepetition.Required, NumChildren: 1,
                    ConvertedType: ConvertedType.List, LogicalType: LogicalType.List));
                elements.Add(new(ListGroupName, Repetition: FieldRepetition.Repeated, NumChildren: 1));
                elements.Add(new(ElementName, Repetition: FieldRepetition.Required, NumChildren: group.Count));
                foreach (ColumnSpec field in group)
                {
                    elements.Add(field.PhysicalType == PhysicalType.ByteArray
                        ? new(field.Name, PhysicalType.ByteArray, Repetition: FieldRepetition.Required, ConvertedType: ConvertedType.Utf8, LogicalType: LogicalType.String)
                        : new(field.Name, field.PhysicalType, Repetition: FieldRepetition.Required));
                }
                continue;
            }
            switch (column.Type)
            {
                case ColumnType.String:
                    elements.Add(new(column.Name, PhysicalType.ByteArray, Repetition: FieldRepetition.Required,
                        ConvertedType: ConvertedType.Utf8, LogicalType: LogicalType.String));
                    break;
                case ColumnType.Int32 or ColumnType.Float32:
                    elements.Add(new(column.Name, column.PhysicalType, Repetition: FieldRepetition.Required));
                    break;
                default:
                    elements.Add(new(column.Name, Repetition: FieldRepetition.Required, NumChildren: 1,
                        ConvertedType: ConvertedType.List, LogicalType: LogicalType.List));
                    elements.Add(new(ListGroupName, Repetition: FieldRepetition.Repeated, NumChildren: 1));
                    if (column.IsNestedList)
                    {
                        elements.Add(new(ElementName, Repetition: FieldRepetition.Required, NumChildren: 1,
                            ConvertedType: ConvertedType.List, LogicalType: LogicalType.List));
                        elements.Add(new(ListGroupName, Repetition: FieldRepetition.Repeated, NumChildren: 1));
                    }
                    elements.Add(column.Type switch
                    {
                        ColumnType.Float16List or ColumnType.Float16ListList => new(ElementName, PhysicalType.FixedLenByteArray, TypeLength: 2, Repetition: FieldRepetition.Required,
                            LogicalType: LogicalType.Float16),
                        ColumnType.Int8List => new(ElementName, PhysicalType.Int32, Repetition: FieldRepetition.Required, ConvertedType: ConvertedType.Int8),
                        ColumnType.UInt8List => new(ElementName, PhysicalType.Int32, Repetition: FieldRepetition.Required, ConvertedType: ConvertedType.Uint8),
                        _ => new(ElementName, column.PhysicalType, Repetition: FieldRepetition.Required),
                    });
                    break;
            }
        }
        return elements;
    }

    /// <summary>Reads back the columns of a schema written by <see cref="ToSchemaElements"/>; other layouts are rejected.</summary>
    public static List<ColumnSpec> FromSchemaElements(IReadOnlyList<SchemaElement> elements)
    {
        if (elements.Count == 0 || elements[0].NumChildren is not { } count)
            throw new InvalidDataException("The Parquet schema has no root group.");
        var columns = new List<ColumnSpec>(count);
        int index = 1;
        for (int i = 0; i < count; i++)
        {
            SchemaElement element = At(elements, index++);
            if (element.Repetition != FieldRepetition.Required)
                throw Unsupported(element, "is not required");
            if (element.NumChildren is null or 0)
            {
                columns.Add(new ColumnSpec(element.Name, element.Type switch
                {
                    PhysicalType.ByteArray when element.ConvertedType == ConvertedType.Utf8 || element.LogicalType == LogicalType.String => ColumnType.String,
                    PhysicalType.Int32 => ColumnType.Int32,
                    PhysicalType.Float => ColumnType.Float32,
                    _ => throw Unsupported(element, $"has physical type {element.Type}"),
                }));
                continue;
            }
            SchemaElement group = At(elements, index++);
            SchemaElement leaf = At(elements, index++);
            bool nested = IsListGroup(leaf) && leaf.Repetition == FieldRepetition.Required;
            if (nested)
            {
                SchemaElement innerGroup = At(elements, index++);
                SchemaElement innerLeaf = At(elements, index++);
                if (!IsListGroup(element) || !IsRepeatedGroup(innerGroup) || !IsRepeatedGroup(group) || !IsRequiredLeaf(innerLeaf))
                    throw Unsupported(element, "is a group that is not a list of lists of required values");
                columns.Add(new ColumnSpec(element.Name, innerLeaf switch
                {
                    { Type: PhysicalType.Float } => ColumnType.Float32ListList,
                    { Type: PhysicalType.FixedLenByteArray, TypeLength: 2, LogicalType: LogicalType.Float16 } => ColumnType.Float16ListList,
                    _ => throw Unsupported(element, $"holds lists of elements of physical type {innerLeaf.Type}"),
                }));
                continue;
            }
            if (leaf.NumChildren is > 0 && group.Repetition == FieldRepetition.Repeated && leaf.Repetition == FieldRepetition.Required
                && (element.ConvertedType == ConvertedType.List || element.LogicalType == LogicalType.List))
            {
                for (int field = 0; field < leaf.NumChildren; field++)
                {
                    SchemaElement member = At(elements, index++);
                    if (member.Repetition != FieldRepetition.Required || member.NumChildren is > 0)
                        throw Unsupported(element, $"has a struct field '{member.Name}' that is not a required value");
                    columns.Add(new ColumnSpec(member.Name, member.Type switch
                    {
                        PhysicalType.ByteArray when member.ConvertedType == ConvertedType.Utf8 || member.LogicalType == LogicalType.String => ColumnType.StringList,
                        PhysicalType.Int32 => ColumnType.Int32List,
                        PhysicalType.Float => ColumnType.Float32List,
                        _ => throw Unsupported(element, $"has a struct field '{member.Name}' of physical type {member.Type}"),
                    }, element.Name));
                }
                continue;
            }
            bool isList = IsListGroup(element) && IsRepeatedGroup(group) && IsRequiredLeaf(leaf);
            if (!isList)
                throw Unsupported(element, "is a group that is not a list of required values");
            columns.Add(new ColumnSpec(element.Name, leaf switch
            {
                { Type: PhysicalType.Float } => ColumnType.Float32List,
                { Type: PhysicalType.FixedLenByteArray, TypeLength: 2, LogicalType: LogicalType.Float16 } => ColumnType.Float16List,
                { Type: PhysicalType.Int32, ConvertedType: ConvertedType.Int8 } => ColumnType.Int8List,
                { Type: PhysicalType.Int32, ConvertedType: ConvertedType.Uint8 } => ColumnType.UInt8List,
                { Type: PhysicalType.Int32, ConvertedType: null } => ColumnType.Int32List,
                _ => throw Unsupported(element, $"holds elements of physical type {leaf.Type}"),
            }));
        }
        if (index != elements.Count)
            throw new InvalidDataException($"The Parquet schema has {elements.Count - index} elements past its root's {count} columns.");
        return columns;
    }

    private static bool IsListGroup(SchemaElement element) =>
        (element.ConvertedType == ConvertedType.List || element.LogicalType == LogicalType.List) && element.NumChildren == 1;

    private static bool IsRepeatedGroup(SchemaElement group) => group.Repetition == FieldRepetition.Repeated && group.NumChildren == 1;

    private static bool IsRequiredLeaf(SchemaElement leaf) => leaf.Repetition == FieldRepetition.Required && leaf.NumChildren is null or 0;

    private static SchemaElement At(IReadOnlyList<SchemaElement> elements, int index) =>
        index < elements.Count ? elements[index] : throw new InvalidDataException("The Parquet schema ends inside a column.");

    private static InvalidDataException Unsupported(SchemaElement element, string reason) =>
        new($"Column '{element.Name}' {reason}; result files hold required strings, int32, floats, lists of float, float16, int32, int8 or uint8, lists of lists of float or float16, and lists of structs of strings, int32 and floats.");
}
