using System.Globalization;
using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Statements;

/// <summary>
/// Checks a grammatical statement the way SQL Server does once it has parsed it, and builds the
/// statement record.
/// </summary>
/// <remarks>
/// The checks run in this order and the first that fails answers:
/// <list type="number">
/// <item>Compile errors (severity 15, alone): an undeclared variable (137), an option given twice (1039).</item>
/// <item>Statement errors (severity 16, followed by 3013): more than 64 devices (3205), a named device
/// (3206), no device (3207), an empty device name (3044), options the form does not take (3032),
/// conflicting options (3031), then each option value in the order written (8115, 3253, 3250).</item>
/// </list>
/// SQL Server does not document the order of its own checks; this one reports problems with the
/// statement's shape before problems with a value.
/// </remarks>
internal static class StatementBinder
{
    private const int DefaultStats = 10;

    /// <summary>The documented longest NAME of a backup set (BACKUP Arguments: nvarchar(128)).</summary>
    public const int MaxNameLength = 128;

    /// <summary>The documented longest DESCRIPTION of a backup set (BACKUP Arguments: nvarchar(255)).</summary>
    public const int MaxDescriptionLength = 255;

    /// <summary>Checks <paramref name="syntax"/> and builds its statement.</summary>
    /// <param name="syntax">A grammatical statement.</param>
    /// <returns>The statement, or the messages refusing it.</returns>
    public static StatementParseResult Bind(StatementSyntax syntax)
    {
        var values = new Dictionary<OptionWord, int>();
        var failure = CheckCompileRules(syntax) ?? CheckStatementRules(syntax, values);
        return failure is null
            ? new StatementParseResult(Build(syntax, values), syntax.Start.Position)
            : new StatementParseResult(failure);
    }

    private static ParseFailure? CheckCompileRules(StatementSyntax syntax)
    {
        // The engine runs one statement with no DECLARE before it, so any variable is undeclared.
        if (syntax.Variables.Count > 0)
        {
            var variable = syntax.Variables[0];
            return CompileError(SqlMessages.MustDeclareScalarVariable(variable.Text), variable.Position);
        }

        var seen = new HashSet<OptionDefinition>();
        foreach (var option in syntax.Options)
        {
            // MOVE is the one option a statement repeats, once per file.
            if (option.Definition.Word != OptionWord.Move && !seen.Add(option.Definition))
            {
                return CompileError(SqlMessages.OptionSpecifiedMoreThanOnce(option.Word.Text), option.Word.Position);
            }
        }

        return null;
    }

    private static ParseFailure? CheckStatementRules(StatementSyntax syntax, Dictionary<OptionWord, int> values)
    {
        var devices = syntax.Devices;
        if (devices.Count > SqlMessages.MaxBackupDevices)
        {
            return StatementError(syntax, SqlMessages.TooManyBackupDevices(), devices[SqlMessages.MaxBackupDevices].Start.Position);
        }

        if (devices.FirstOrDefault(d => !d.IsVirtualDevice) is { } named)
        {
            return StatementError(syntax, SqlMessages.BackupDeviceDoesNotExist(named.Name.Value), named.Start.Position);
        }

        if (devices.Count == 0)
        {
            return StatementError(syntax, SqlMessages.NoBackupDevice(), syntax.Start.Position);
        }

        if (devices.FirstOrDefault(d => d.Name.Value.Length == 0) is { } empty)
        {
            return StatementError(syntax, SqlMessages.ZeroLengthDeviceName(), empty.Name.Position);
        }

        var unsupported = syntax.Options.Where(o => (o.Definition.AllowedIn & syntax.Kind) == 0).ToList();
        if (unsupported.Count > 0)
        {
            var names = unsupported.Select(o => o.Definition.Name).Distinct();
            return StatementError(syntax, SqlMessages.OptionsNotSupported(names), unsupported[0].Word.Position);
        }

        var options = syntax.Options;
        for (var later = 1; later < options.Count; later++)
        {
            for (var earlier = 0; earlier < later; earlier++)
            {
                if (OptionTable.Conflict(options[earlier].Definition.Word, options[later].Definition.Word))
                {
                    return StatementError(
                        syntax,
                        SqlMessages.OptionConflict(options[earlier].Definition.Name, options[later].Definition.Name),
                        options[later].Word.Position);
                }
            }
        }

        foreach (var option in options)
        {
            int limit = option.Definition.Word switch
            {
                OptionWord.Name => MaxNameLength,
                OptionWord.Description => MaxDescriptionLength,
                _ => int.MaxValue,
            };
            if (option.Value is { } text && text.Value.Length > limit)
            {
                return StatementError(syntax, SqlMessages.TextOptionTooLong(option.Definition.UpperName, text.Value.Length, limit), text.Position);
            }
        }

        foreach (var option in options)
        {
            if (option.Definition.Shape is not (OptionShape.Integer or OptionShape.OptionalInteger) || option.Value is not { } token)
            {
                continue;
            }

            if (!TryConvertToInt32(token.Text, option.Negative, out var value))
            {
                return StatementError(syntax, SqlMessages.ArithmeticOverflowToInt(), token.Position);
            }

            if (CheckValue(option.Definition, value) is { } error)
            {
                return StatementError(syntax, error, token.Position);
            }

            values[option.Definition.Word] = value;
        }

        return null;
    }

    // The ranges are the documented ones (VDI spec §6.2 and §14, BACKUP and RESTORE Arguments).
    private static SqlMessage? CheckValue(OptionDefinition option, int value) => option.Word switch
    {
        // Whether SQL Server checks the power of two or the range first is not documented; a power of two is checked first here.
        OptionWord.BlockSize when value <= 0 || (value & (value - 1)) != 0 => SqlMessages.BlockSizeNotPowerOfTwo(),
        OptionWord.BlockSize when !VdiLimits.IsValidBlockSize(value) => SqlMessages.ValueOutOfRange(value, option.UpperName),
        OptionWord.MaxTransferSize when !VdiLimits.IsValidMaxTransferSize(value) => SqlMessages.ValueOutOfRange(value, option.UpperName),
        OptionWord.BufferCount when value < 1 => SqlMessages.ValueOutOfRange(value, option.UpperName),
        OptionWord.Stats when value is < 1 or > 100 => SqlMessages.ValueOutOfRange(value, option.UpperName),
        _ => null,
    };

    // The literal has at most 38 digits (the tokenizer refuses longer ones with 1007), so a long
    // holds every value that can still fit an int after its leading zeros are dropped.
    private static bool TryConvertToInt32(string digits, bool negative, out int value)
    {
        value = 0;
        var significant = digits.TrimStart('0');
        if (significant.Length == 0)
        {
            return true;
        }

        if (significant.Length > 10)
        {
            return false;
        }

        var magnitude = long.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
        var signed = negative ? -magnitude : magnitude;
        if (signed is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)signed;
        return true;
    }

    private static Statement Build(StatementSyntax syntax, Dictionary<OptionWord, int> values)
    {
        var options = syntax.Options;
        bool Has(OptionWord word) => options.Any(o => o.Definition.Word == word);
        bool? Either(OptionWord yes, OptionWord no) => Has(yes) ? true : Has(no) ? false : null;
        int? Value(OptionWord word) => values.TryGetValue(word, out var v) ? v : null;
        string? Text(OptionWord word) => options.FirstOrDefault(o => o.Definition.Word == word)?.Value?.Value;

        var devices = EquatableList.From(syntax.Devices.Select(d => d.Name.Value));
        var stats = Has(OptionWord.Stats) ? Value(OptionWord.Stats) ?? DefaultStats : (int?)null;
        var database = syntax.DatabaseName?.Value;

        if (StatementKinds.IsBackup(syntax.Kind))
        {
            return new BackupStatement
            {
                Kind = syntax.Kind == StatementKind.BackupDatabase ? BackupKind.Database : BackupKind.Log,
                DatabaseName = database ?? throw new InvalidOperationException("A BACKUP always names its database."),
                Devices = devices,
                BlockSize = Value(OptionWord.BlockSize),
                BufferCount = Value(OptionWord.BufferCount),
                MaxTransferSize = Value(OptionWord.MaxTransferSize),
                Checksum = Either(OptionWord.Checksum, OptionWord.NoChecksum),
                Stats = stats,
                CopyOnly = Has(OptionWord.CopyOnly),
                Differential = Has(OptionWord.Differential),
                Format = Either(OptionWord.Format, OptionWord.NoFormat),
                Init = Either(OptionWord.Init, OptionWord.NoInit),
                Name = Text(OptionWord.Name),
                Description = Text(OptionWord.Description),
            };
        }

        var moves = options
            .Where(o => o.Definition.Word == OptionWord.Move)
            .Select(o => new FileMove(o.Value!.Value.Value, o.MoveTarget!.Value.Value));

        return new RestoreStatement
        {
            Kind = syntax.Kind switch
            {
                StatementKind.RestoreDatabase => RestoreKind.Database,
                StatementKind.RestoreLog => RestoreKind.Log,
                StatementKind.RestoreVerifyOnly => RestoreKind.VerifyOnly,
                StatementKind.RestoreHeaderOnly => RestoreKind.HeaderOnly,
                StatementKind.RestoreFileListOnly => RestoreKind.FileListOnly,
                _ => RestoreKind.LabelOnly,
            },
            DatabaseName = database,
            Devices = devices,
            BlockSize = Value(OptionWord.BlockSize),
            BufferCount = Value(OptionWord.BufferCount),
            MaxTransferSize = Value(OptionWord.MaxTransferSize),
            Checksum = Either(OptionWord.Checksum, OptionWord.NoChecksum),
            Stats = stats,
            Replace = Has(OptionWord.Replace),
            Moves = EquatableList.From(moves),
            Recovery = Either(OptionWord.Recovery, OptionWord.NoRecovery),
        };
    }

    // SQL Server rejects a batch with a compile error before running anything: the error stands alone.
    private static ParseFailure CompileError(SqlMessage message, SourcePosition position) =>
        new([message with { LineNumber = position.Line }], position);

    // A statement that fails while running ends with 3013 naming the operation. SQL Server reports
    // both on the line where the statement starts.
    private static ParseFailure StatementError(StatementSyntax syntax, SqlMessage message, SourcePosition position)
    {
        var line = syntax.Start.Position.Line;
        var trailer = SqlMessages.TerminatingAbnormally(StatementKinds.OperationName(syntax.Kind));
        return new([message with { LineNumber = line }, trailer with { LineNumber = line }], position);
    }
}
