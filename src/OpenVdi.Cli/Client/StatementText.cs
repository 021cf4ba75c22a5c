using System.Text;
using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Client;

/// <summary>Writes the BACKUP and RESTORE statements the tool sends, with names and strings quoted as T-SQL wants.</summary>
internal static class StatementText
{
    /// <summary><c>[name]</c>, with <c>]</c> doubled.</summary>
    public static string QuoteName(string name) => "[" + name.Replace("]", "]]", StringComparison.Ordinal) + "]";

    /// <summary><c>N'text'</c>, with <c>'</c> doubled.</summary>
    public static string QuoteString(string text) => "N'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary><c>BACKUP DATABASE|LOG [db] TO VIRTUAL_DEVICE = N'…', … WITH …, DIFFERENTIAL, COPY_ONLY, CHECKSUM|NO_CHECKSUM</c>.</summary>
    public static string Backup(BackupRequest request, IReadOnlyList<string> devices)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clauses = new List<string>(request.Transfer.Clauses());
        if (request.Level == BackupLevel.Differential)
        {
            clauses.Add("DIFFERENTIAL");
        }

        if (request.CopyOnly)
        {
            clauses.Add("COPY_ONLY");
        }

        clauses.Add(request.Checksum ? "CHECKSUM" : "NO_CHECKSUM");
        string what = request.Level == BackupLevel.Log ? "LOG" : "DATABASE";
        return Compose($"BACKUP {what} {QuoteName(request.Database)} TO {DeviceList(devices)}", clauses);
    }

    /// <summary>
    /// <c>RESTORE DATABASE|LOG [db] FROM VIRTUAL_DEVICE = N'…', … [WITH REPLACE, MOVE …, NORECOVERY, CHECKSUM, …]</c>:
    /// LOG for a log backup (<paramref name="type"/>), DATABASE otherwise.
    /// </summary>
    public static string Restore(RestoreRequest request, IReadOnlyList<string> devices, TransferOptions options, BackupType? type)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var clauses = new List<string>();
        if (request.Replace)
        {
            clauses.Add("REPLACE");
        }

        clauses.AddRange(request.Moves.Select(move => $"MOVE {QuoteString(move.Logical)} TO {QuoteString(move.Path)}"));
        if (!request.Recovery)
        {
            clauses.Add("NORECOVERY");
        }

        if (request.RequireChecksum)
        {
            clauses.Add("CHECKSUM");
        }

        clauses.AddRange(options.Clauses());
        string what = type == BackupType.Log ? "LOG" : "DATABASE";
        return Compose($"RESTORE {what} {QuoteName(request.Database)} FROM {DeviceList(devices)}", clauses);
    }

    /// <summary><c>RESTORE VERIFYONLY FROM VIRTUAL_DEVICE = N'…', … [WITH CHECKSUM, …]</c>.</summary>
    public static string Verify(IReadOnlyList<string> devices, TransferOptions options, bool requireChecksum = false) =>
        Compose($"RESTORE VERIFYONLY FROM {DeviceList(devices)}", [.. requireChecksum ? ["CHECKSUM"] : Array.Empty<string>(), .. options.Clauses()]);

    /// <summary><c>RESTORE HEADERONLY|FILELISTONLY|LABELONLY FROM VIRTUAL_DEVICE = N'…', … [WITH …]</c> (STATS is not one of their options and is left out).</summary>
    public static string Inspect(InspectionKind kind, IReadOnlyList<string> devices, TransferOptions options) =>
        Compose($"RESTORE {kind.ToString().ToUpperInvariant()} FROM {DeviceList(devices)}", (options with { Stats = null }).Clauses());

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
