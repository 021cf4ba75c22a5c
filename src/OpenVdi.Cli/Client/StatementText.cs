using System.Text;

namespace OpenVdi.Cli.Client;

/// <summary>Writes the BACKUP and RESTORE statements the tool sends, with names and strings quoted as T-SQL wants.</summary>
internal static class StatementText
{
    /// <summary><c>[name]</c>, with <c>]</c> doubled.</summary>
    public static string QuoteName(string name) => "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]";

    /// <summary><c>N'text'</c>, with <c>'</c> doubled.</summary>
    public static string QuoteString(string text) => "N'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary><c>BACKUP DATABASE [db] TO VIRTUAL_DEVICE = N'…', … [WITH …]</c>.</summary>
    public static string Backup(string database, IReadOnlyList<string> devices, TransferOptions options, bool checksum) =>
        Compose($"BACKUP DATABASE {QuoteName(database)} TO {DeviceList(devices)}", [.. options.Clauses(), .. checksum ? ["CHECKSUM"] : Array.Empty<string>()]);

    /// <summary><c>RESTORE DATABASE [db] FROM VIRTUAL_DEVICE = N'…', … [WITH REPLACE, MOVE …, …]</c>.</summary>
    public static string RestoreDatabase(string database, IReadOnlyList<string> devices, TransferOptions options, bool replace, IReadOnlyList<(string Logical, string Path)> moves)
    {
        var clauses = new List<string>();
        if (replace)
        {
            clauses.Add("REPLACE");
        }

        clauses.AddRange(moves.Select(move => $"MOVE {QuoteString(move.Logical)} TO {QuoteString(move.Path)}"));
        clauses.AddRange(options.Clauses());
        return Compose($"RESTORE DATABASE {QuoteName(database)} FROM {DeviceList(devices)}", clauses);
    }

    /// <summary><c>RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = N'…', … [WITH …]</c>.</summary>
    public static string Verify(IReadOnlyList<string> devices, TransferOptions options) =>
        Compose($"RESTORE VERIFYONLY FROM {DeviceList(devices)}", options.Clauses());

    /// <summary><c>RESTORE HEADERONLY FROM VIRTUAL_DEVICE = N'…', … [WITH …]</c> (STATS is not a HEADERONLY option and is left out).</summary>
    public static string HeaderOnly(IReadOnlyList<string> devices, TransferOptions options) =>
        Compose($"RESTORE HEADERONLY FROM {DeviceList(devices)}", (options with { Stats = null }).Clauses());

    private static string DeviceList(IReadOnlyList<string> devices) =>
        string.Join(", ", devices.Select(device => $"VIRTUAL_DEVICE = {QuoteString(device)}"));

    private static string Compose(string head, IReadOnlyList<string> clauses)
    {
        var text = new StringBuilder(head);
        if (clauses.Count > 0)
        {
            text.Append(" WITH ").AppendJoin(", ", clauses);
        }

        return text.ToString();
    }
}
