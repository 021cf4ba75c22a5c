using System.Collections.Frozen;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// The WITH option vocabulary BACKUP and RESTORE share, which forms take each option, and which
/// options exclude each other.
/// </summary>
/// <remarks>
/// BACKUP and RESTORE parse the same option words, and an option of the wrong form is refused later
/// with 3032, not as a syntax error. Which RESTORE forms take which option follows the summary table
/// of SQL Server's "RESTORE Arguments" page, with one decision of ours: BLOCKSIZE, BUFFERCOUNT and
/// MAXTRANSFERSIZE are accepted by every RESTORE form, because reading a virtual device at all needs
/// the block size and transfer size the backup was written with (VDI spec §6.2), and the header
/// forms read the same stream.
/// </remarks>
internal static class OptionTable
{
    private const StatementKind StatsForms = StatementKind.AnyBackup | StatementKind.RestoreDatabaseOrLog | StatementKind.RestoreVerifyOnly;
    private const StatementKind MoveForms = StatementKind.RestoreDatabaseOrLog | StatementKind.RestoreVerifyOnly;

    private static readonly FrozenDictionary<string, OptionDefinition> s_definitions = BuildDefinitions();

    private static readonly (OptionWord First, OptionWord Second)[] s_conflictingPairs =
    [
        (OptionWord.Init, OptionWord.NoInit),
        (OptionWord.Format, OptionWord.NoFormat),
        (OptionWord.Checksum, OptionWord.NoChecksum),
        (OptionWord.Recovery, OptionWord.NoRecovery),
    ];

    /// <summary>Looks an option word up, in any case.</summary>
    /// <param name="word">The word as written.</param>
    /// <param name="definition">The option, when known.</param>
    /// <returns>True when the word is an option of BACKUP or RESTORE.</returns>
    public static bool TryGet(string word, out OptionDefinition definition) =>
        s_definitions.TryGetValue(word, out definition!);

    /// <summary>Whether two options cannot be given together (either order).</summary>
    /// <param name="first">One option.</param>
    /// <param name="second">The other.</param>
    /// <returns>True when they conflict.</returns>
    public static bool Conflict(OptionWord first, OptionWord second)
    {
        foreach (var (a, b) in s_conflictingPairs)
        {
            if ((first == a && second == b) || (first == b && second == a))
            {
                return true;
            }
        }

        return false;
    }

    private static FrozenDictionary<string, OptionDefinition> BuildDefinitions()
    {
        var all = new List<OptionDefinition>
        {
            new(OptionWord.BlockSize, "blocksize", OptionShape.Integer, StatementKind.Any),
            new(OptionWord.BufferCount, "buffercount", OptionShape.Integer, StatementKind.Any),
            new(OptionWord.MaxTransferSize, "maxtransfersize", OptionShape.Integer, StatementKind.Any),
            new(OptionWord.Checksum, "checksum", OptionShape.Flag, StatementKind.Any),
            new(OptionWord.NoChecksum, "no_checksum", OptionShape.Flag, StatementKind.Any),
            new(OptionWord.Stats, "stats", OptionShape.OptionalInteger, StatsForms),
            new(OptionWord.CopyOnly, "copy_only", OptionShape.Flag, StatementKind.AnyBackup),
            new(OptionWord.Differential, "differential", OptionShape.Flag, StatementKind.BackupDatabase),
            new(OptionWord.Format, "format", OptionShape.Flag, StatementKind.AnyBackup),
            new(OptionWord.NoFormat, "noformat", OptionShape.Flag, StatementKind.AnyBackup),
            new(OptionWord.Init, "init", OptionShape.Flag, StatementKind.AnyBackup),
            new(OptionWord.NoInit, "noinit", OptionShape.Flag, StatementKind.AnyBackup),
            new(OptionWord.Name, "name", OptionShape.Text, StatementKind.AnyBackup),
            new(OptionWord.Description, "description", OptionShape.Text, StatementKind.AnyBackup),
            new(OptionWord.Replace, "replace", OptionShape.Flag, StatementKind.RestoreDatabaseOrLog),
            new(OptionWord.Move, "move", OptionShape.Move, MoveForms),
            new(OptionWord.Recovery, "recovery", OptionShape.Flag, StatementKind.RestoreDatabaseOrLog),
            new(OptionWord.NoRecovery, "norecovery", OptionShape.Flag, StatementKind.RestoreDatabaseOrLog),
        };

        // SQL Server's other BACKUP and RESTORE options. SQL Server would run them; the engine does
        // not implement them, and answers 3032 rather than calling a valid option unknown (155).
        string[] others =
        [
            "compression", "no_compression", "encryption", "expiredate", "retaindays", "skip", "noskip",
            "medianame", "mediadescription", "mediapassword", "password", "stop_on_error",
            "continue_after_error", "rewind", "norewind", "unload", "nounload", "standby", "no_truncate",
            "snapshot", "metadata_only", "credential", "file_snapshot", "file", "loadhistory",
            "keep_replication", "keep_cdc", "enable_broker", "error_broker_conversations", "new_broker",
            "stopat", "stopatmark", "stopbeforemark", "partial", "restart", "restricted_user",
            "filestream", "dbname", "backup_options", "restore_options",
        ];
        foreach (var name in others)
        {
            all.Add(new(OptionWord.Other, name, OptionShape.Any, StatementKind.None));
        }

        return all.ToFrozenDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
    }
}
