namespace OpenVdi.Cli.Output;

/// <summary>A result set (HEADERONLY, FILELISTONLY, LABELONLY): its columns, and each row as an object keyed by column.</summary>
internal sealed record ResultSetEvent
{
    public string Type { get; } = "resultSet";

    public required DateTimeOffset Time { get; init; }

    public required IReadOnlyList<string> Columns { get; init; }

    public required IReadOnlyList<Dictionary<string, object?>> Rows { get; init; }
}
