using System.Globalization;

namespace OpenVdi.Engine.Messages;

/// <summary>
/// Builds the messages of <see cref="SqlMessageNumbers"/> with SQL Server's severity and text.
/// The state is 1 unless a capture of SQL Server showed another; the line number is left at 0 for
/// the caller to set with <c>with { LineNumber = … }</c>.
/// </summary>
public static class SqlMessages
{
    /// <summary>The most devices one BACKUP or RESTORE statement may name.</summary>
    public const int MaxBackupDevices = 64;

    /// <summary>The longest identifier SQL Server accepts, in characters.</summary>
    public const int MaxIdentifierLength = 128;

    /// <summary>The size of a database page, which the pages of 3014 and 4035 count.</summary>
    public const int PageSize = 8192;

    /// <summary>Message 102: a token the grammar does not allow where it stands.</summary>
    /// <param name="near">The token as SQL Server quotes it (a string's content, a name without its brackets).</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage IncorrectSyntax(string near) =>
        Compile(SqlMessageNumbers.IncorrectSyntax, 1, $"Incorrect syntax near '{near}'.");

    /// <summary>Message 156: a reserved keyword where the grammar does not allow it.</summary>
    /// <param name="keyword">The keyword as written.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage IncorrectSyntaxNearKeyword(string keyword) =>
        Compile(SqlMessageNumbers.IncorrectSyntaxNearKeyword, 1, $"Incorrect syntax near the keyword '{keyword}'.");

    /// <summary>Message 103: an identifier longer than 128 characters.</summary>
    /// <param name="identifier">The whole identifier; the message quotes its first 128 characters.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage IdentifierTooLong(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        var start = identifier.Length > MaxIdentifierLength ? identifier[..MaxIdentifierLength] : identifier;
        return Compile(SqlMessageNumbers.IdentifierTooLong, 1,
            string.Create(CultureInfo.InvariantCulture, $"The identifier that starts with '{start}' is too long. Maximum length is {MaxIdentifierLength}."));
    }

    /// <summary>Message 105: a string or delimited identifier that the text ends inside.</summary>
    /// <param name="rest">What follows the opening quote, with doubled quotes read as one.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage UnclosedQuotationMark(string rest) =>
        Compile(SqlMessageNumbers.UnclosedQuotationMark, 1, $"Unclosed quotation mark after the character string '{rest}'.");

    /// <summary>Message 113: a block comment the text ends inside (comments nest).</summary>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage MissingEndCommentMark() =>
        Compile(SqlMessageNumbers.MissingEndCommentMark, 1, "Missing end comment mark '*/'.");

    /// <summary>Message 137: a variable used where the statement has no DECLARE for it.</summary>
    /// <param name="variable">The variable as written, with its <c>@</c>.</param>
    /// <returns>The message, severity 15, state 2 as SQL Server gives it for a variable read in a statement.</returns>
    public static SqlMessage MustDeclareScalarVariable(string variable) =>
        Compile(SqlMessageNumbers.MustDeclareScalarVariable, 2, $"Must declare the scalar variable \"{variable}\".");

    /// <summary>Message 155: a WITH option word the statement does not know.</summary>
    /// <param name="option">The word as written.</param>
    /// <param name="statement"><c>BACKUP</c> or <c>RESTORE</c>.</param>
    /// <param name="withValue">Whether the word was followed by <c>= value</c>: SQL Server then gives state 2, else state 1.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage NotARecognizedOption(string option, string statement, bool withValue) =>
        Compile(SqlMessageNumbers.NotARecognizedOption, withValue ? (byte)2 : (byte)1, $"'{option}' is not a recognized {statement} option.");

    /// <summary>Message 1007: an integer or decimal literal of more than 38 digits.</summary>
    /// <param name="number">The number as written.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage NumberOutOfRange(string number) =>
        Compile(SqlMessageNumbers.NumberOutOfRange, 1, $"The number '{number}' is out of the range for numeric representation (maximum precision 38).");

    /// <summary>Message 1038: an empty delimited identifier (<c>[]</c> or <c>""</c>) used as a name.</summary>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage ObjectNameMissingOrEmpty() =>
        Compile(SqlMessageNumbers.ObjectNameMissingOrEmpty, 1,
            "An object or column name is missing or empty. For SELECT INTO statements, verify each column has a name. For other statements, look for empty alias names. Aliases defined as \"\" or [] are not allowed. Change the alias to a valid name.");

    /// <summary>Message 1039: the same WITH option given twice.</summary>
    /// <param name="option">The option as written the second time.</param>
    /// <returns>The message, severity 15.</returns>
    public static SqlMessage OptionSpecifiedMoreThanOnce(string option) =>
        Compile(SqlMessageNumbers.OptionSpecifiedMoreThanOnce, 1, $"Option '{option}' is specified more than once.");

    /// <summary>Message 3013: the last message of a BACKUP or RESTORE that failed.</summary>
    /// <param name="operation">The operation as SQL Server names it: <c>BACKUP DATABASE</c>, <c>BACKUP LOG</c>, <c>RESTORE DATABASE</c>, <c>RESTORE LOG</c>, <c>VERIFY DATABASE</c>, <c>RESTORE HEADERONLY</c>, <c>RESTORE FILELIST</c> or <c>RESTORE LABELONLY</c>.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage TerminatingAbnormally(string operation) =>
        Statement(SqlMessageNumbers.TerminatingAbnormally, $"{operation} is terminating abnormally.");

    /// <summary>Message 3014: the success message of BACKUP and RESTORE.</summary>
    /// <param name="operation">The operation as SQL Server names it (see <see cref="TerminatingAbnormally"/>).</param>
    /// <param name="pages">The number of 8 KB pages processed.</param>
    /// <param name="elapsed">How long the operation took.</param>
    /// <returns>The message, severity 10. The rate is computed over at least one millisecond so that a very fast operation does not divide by zero.</returns>
    public static SqlMessage SuccessfullyProcessed(string operation, long pages, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 0);
        var megabytesPerSecond = pages * (double)PageSize / (1024 * 1024) / Math.Max(seconds, 0.001);
        return Information(SqlMessageNumbers.SuccessfullyProcessed,
            string.Create(CultureInfo.InvariantCulture, $"{operation} successfully processed {pages} pages in {seconds:0.000} seconds ({megabytesPerSecond:0.000} MB/sec)."));
    }

    /// <summary>Message 3031: two options that cannot be given together.</summary>
    /// <param name="option">The option written first, in lower case as SQL Server prints it.</param>
    /// <param name="conflicting">The option it conflicts with, in lower case.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage OptionConflict(string option, string conflicting) =>
        Statement(SqlMessageNumbers.OptionConflict, $"Option '{option}' conflicts with option(s) '{conflicting}'. Remove the conflicting option and reissue the statement.");

    /// <summary>Message 3032: options the statement kind does not take.</summary>
    /// <param name="options">The options in lower case, in the order written.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage OptionsNotSupported(IEnumerable<string> options) =>
        Statement(SqlMessageNumbers.OptionsNotSupported, $"One or more of the options ({string.Join(", ", options)}) are not supported for this statement. Review the documentation for supported options.");

    /// <summary>Message 3044: a device named by an empty string.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ZeroLengthDeviceName() =>
        Statement(SqlMessageNumbers.ZeroLengthDeviceName, "Invalid zero-length device name. Reissue the BACKUP statement with a valid device name.");

    /// <summary>Message 3101: RESTORE over a database that is in use.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ExclusiveAccessNotObtained() =>
        Statement(SqlMessageNumbers.ExclusiveAccessNotObtained, "Exclusive access could not be obtained because the database is in use.");

    /// <summary>Message 3132: a striped media set restored from fewer devices than it has families.</summary>
    /// <param name="families">The number of media families in the media set.</param>
    /// <param name="provided">The number of devices the statement names.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage MediaFamiliesMissing(int families, int provided) =>
        Statement(SqlMessageNumbers.MediaFamiliesMissing,
            string.Create(CultureInfo.InvariantCulture, $"The media set has {families} media families but only {provided} are provided. All members must be provided."));

    /// <summary>Message 3154: RESTORE without REPLACE over a database other than the one backed up.</summary>
    /// <param name="database">The existing database.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BackupSetHoldsOtherDatabase(string database) =>
        Statement(SqlMessageNumbers.BackupSetHoldsOtherDatabase, $"The backup set holds a backup of a database other than the existing '{database}' database.");

    /// <summary>Message 3159: RESTORE without REPLACE over a database whose log tail was not backed up.</summary>
    /// <param name="database">The existing database.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage TailOfLogNotBackedUp(string database) =>
        Statement(SqlMessageNumbers.TailOfLogNotBackedUp,
            $"The tail of the log for the database \"{database}\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.");

    /// <summary>Message 3183: a page read from the backup set failed its check.</summary>
    /// <param name="fileId">The file id of the page.</param>
    /// <param name="pageId">The page number within the file.</param>
    /// <param name="database">The database being restored.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage RestoreDetectedPageError(int fileId, long pageId, string database) =>
        Statement(SqlMessageNumbers.RestoreDetectedPageError,
            string.Create(CultureInfo.InvariantCulture, $"RESTORE detected an error on page ({fileId}:{pageId}) in database \"{database}\" as read from the backup set."));

    /// <summary>Message 3187: RESTORE WITH CHECKSUM of a backup set written without checksums.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ChecksumNotInBackupSet() =>
        Statement(SqlMessageNumbers.ChecksumNotInBackupSet, "RESTORE WITH CHECKSUM cannot be specified because the backup set does not contain checksum information.");

    /// <summary>Message 3189: the backup set failed its checks.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BackupSetDamaged() =>
        Statement(SqlMessageNumbers.BackupSetDamaged, "Damage to the backup set was detected.");

    /// <summary>Message 911: the statement names a database the engine does not have.</summary>
    /// <param name="database">The database name as written.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage DatabaseDoesNotExist(string database) =>
        Statement(SqlMessageNumbers.DatabaseDoesNotExist, $"Database '{database}' does not exist. Make sure that the name is entered correctly.");

    /// <summary>Message 927: a BACKUP of a database that a RESTORE … WITH NORECOVERY left restoring.</summary>
    /// <param name="database">The database.</param>
    /// <returns>The message, severity 14.</returns>
    public static SqlMessage DatabaseInMiddleOfRestore(string database) =>
        new(SqlMessageNumbers.DatabaseInMiddleOfRestore, 14, 1, $"Database '{database}' cannot be opened. It is in the middle of a restore.");

    /// <summary>Message 3117: RESTORE LOG, or RESTORE of a differential backup, onto a database that is not restoring.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage NoFilesReadyToRollForward() =>
        Statement(SqlMessageNumbers.NoFilesReadyToRollForward, "The log or differential backup cannot be restored because no files are ready to rollforward.");

    /// <summary>Message 3135: a backup set of the wrong kind for the RESTORE (a log backup for RESTORE DATABASE, a database backup for RESTORE LOG).</summary>
    /// <param name="file">The backup file (for a virtual device set, its name).</param>
    /// <param name="createdBy">What made it: <c>BACKUP LOG</c> or <c>BACKUP DATABASE</c>.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BackupSetWrongKind(string file, string createdBy) =>
        Statement(SqlMessageNumbers.BackupSetWrongKind, $"The backup set in file '{file}' was created by {createdBy} and cannot be used for this restore operation.");

    /// <summary>Message 4208: BACKUP LOG of a database without a log (in the engine, a database with no log file).</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage LogBackupNotAllowedInSimpleRecovery() =>
        Statement(SqlMessageNumbers.LogBackupNotAllowedInSimpleRecovery,
            "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.");

    /// <summary>
    /// Message 701 (severity 17): the statement's buffers (BUFFERCOUNT × MAXTRANSFERSIZE of shared memory) do not fit
    /// in what the engine allows for the buffers of all its statements; the text says how much was asked and allowed.
    /// </summary>
    /// <param name="bufferCount">BUFFERCOUNT.</param>
    /// <param name="maxTransferSize">MAXTRANSFERSIZE, in bytes.</param>
    /// <param name="available">What the budget has left now, in bytes.</param>
    /// <param name="limit">The whole budget, in bytes.</param>
    /// <returns>The message, severity 17.</returns>
    public static SqlMessage InsufficientBufferMemory(uint bufferCount, uint maxTransferSize, long available, long limit) =>
        new(SqlMessageNumbers.InsufficientMemory, 17, 1, string.Create(CultureInfo.InvariantCulture,
            $"There is insufficient system memory in resource pool 'default' to run this query. BUFFERCOUNT {bufferCount} × MAXTRANSFERSIZE {maxTransferSize} needs {Mib((long)bufferCount * maxTransferSize)} of buffers; the engine allows {Mib(limit)} for the buffers of all its statements, {Mib(available)} of it free now. Lower BUFFERCOUNT or MAXTRANSFERSIZE, or raise the engine's buffer memory."));

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB");

    /// <summary>Message 3201: a device that could not be opened.</summary>
    /// <param name="device">The device name.</param>
    /// <param name="osError">The error as SQL Server prints it, for example <c>0x80770003(VD_E_TIMEOUT)</c>.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage CannotOpenBackupDevice(string device, string osError) =>
        Statement(SqlMessageNumbers.CannotOpenBackupDevice, $"Cannot open backup device '{device}'. Operating system error {osError}.");

    /// <summary>Message 3202: a write to a device that failed.</summary>
    /// <param name="device">The device name.</param>
    /// <param name="error">The error as SQL Server prints it.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage WriteFailed(string device, string error) =>
        Statement(SqlMessageNumbers.WriteFailed, $"Write on \"{device}\" failed: {error}");

    /// <summary>Message 3203: a read from a device that failed.</summary>
    /// <param name="device">The device name.</param>
    /// <param name="error">The error as SQL Server prints it.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ReadFailed(string device, string error) =>
        Statement(SqlMessageNumbers.ReadFailed, $"Read on \"{device}\" failed: {error}");

    /// <summary>Message 3204: the operation was aborted (for example by the client's SignalAbort).</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BackupOrRestoreAborted() =>
        Statement(SqlMessageNumbers.BackupOrRestoreAborted, "The backup or restore was aborted.");

    /// <summary>Message 3205: more than 64 devices in one statement.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage TooManyBackupDevices() =>
        Statement(SqlMessageNumbers.TooManyBackupDevices,
            string.Create(CultureInfo.InvariantCulture, $"Too many backup devices specified for backup or restore; only {MaxBackupDevices} are allowed."));

    /// <summary>Message 3206: a named (logical) backup device; the engine has none.</summary>
    /// <param name="device">The name as written.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BackupDeviceDoesNotExist(string device) =>
        Statement(SqlMessageNumbers.BackupDeviceDoesNotExist,
            $"Backup device '{device}' does not exist. To view existing backup devices, use the sys.backup_devices catalog view. To create a new backup device use either sp_addumpdevice or SQL Server Management Studio.");

    /// <summary>Message 3207: a statement without devices.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage NoBackupDevice() =>
        Statement(SqlMessageNumbers.NoBackupDevice, "Backup or restore requires at least one backup device. Rerun your statement specifying a backup device.");

    /// <summary>Message 3211: STATS progress.</summary>
    /// <param name="percent">The percentage done.</param>
    /// <returns>The message, severity 10.</returns>
    public static SqlMessage PercentProcessed(int percent) =>
        Information(SqlMessageNumbers.PercentProcessed, string.Create(CultureInfo.InvariantCulture, $"{percent} percent processed."));

    /// <summary>Message 3234: a MOVE naming a logical file the backup set does not have.</summary>
    /// <param name="logicalName">The logical file name from the MOVE clause.</param>
    /// <param name="database">The database being restored.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage LogicalFileNotInDatabase(string logicalName, string database) =>
        Statement(SqlMessageNumbers.LogicalFileNotInDatabase,
            $"Logical file '{logicalName}' is not part of database '{database}'. Use RESTORE FILELISTONLY to list the logical file names.");

    /// <summary>Message 3241: a stream that is not a well-formed media family.</summary>
    /// <param name="device">The device the stream came from.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage MediaFamilyIncorrectlyFormed(string device) =>
        Statement(SqlMessageNumbers.MediaFamilyIncorrectlyFormed,
            $"The media family on device '{device}' is incorrectly formed. SQL Server cannot process this media family.");

    /// <summary>Message 3250: an option value outside its range.</summary>
    /// <param name="value">The value given.</param>
    /// <param name="parameter">The option in upper case (<c>BLOCKSIZE</c>, <c>BUFFERCOUNT</c>, <c>MAXTRANSFERSIZE</c>, <c>STATS</c>).</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ValueOutOfRange(long value, string parameter) =>
        Statement(SqlMessageNumbers.ValueOutOfRange,
            string.Create(CultureInfo.InvariantCulture, $"The value '{value}' is not within range for the {parameter} parameter."));

    /// <summary>Message 3253: a BLOCKSIZE that is not a power of two.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage BlockSizeNotPowerOfTwo() =>
        Statement(SqlMessageNumbers.BlockSizeNotPowerOfTwo, "The block size parameter must supply a value that is a power of 2.");

    /// <summary>Message 3261: a virtual device configuration the server cannot use.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage VirtualDeviceConfigurationUnusable() =>
        Statement(SqlMessageNumbers.VirtualDeviceConfigurationUnusable, "SQL Server cannot use the virtual device configuration.");

    /// <summary>Message 3262: the success message of RESTORE VERIFYONLY.</summary>
    /// <param name="file">The backup set's position on the media (1 for the only set of a stream).</param>
    /// <returns>The message, severity 10.</returns>
    public static SqlMessage BackupSetValid(int file) =>
        Information(SqlMessageNumbers.BackupSetValid, string.Create(CultureInfo.InvariantCulture, $"The backup set on file {file} is valid."));

    /// <summary>Message 4035: the pages processed for one database file.</summary>
    /// <param name="pages">The number of 8 KB pages.</param>
    /// <param name="database">The database name.</param>
    /// <param name="logicalFile">The logical file name.</param>
    /// <param name="file">The backup set's position on the media.</param>
    /// <returns>The message, severity 10.</returns>
    public static SqlMessage ProcessedPages(long pages, string database, string logicalFile, int file) =>
        Information(SqlMessageNumbers.ProcessedPages,
            string.Create(CultureInfo.InvariantCulture, $"Processed {pages} pages for database '{database}', file '{logicalFile}' on file {file}."));

    /// <summary>Message 8115: an option value too large for an int.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage ArithmeticOverflowToInt() =>
        Statement(SqlMessageNumbers.ArithmeticOverflow, "Arithmetic overflow error converting expression to data type int.");

    /// <summary>Message 50001 (our own): the text holds no statement.</summary>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage EmptyStatement() =>
        Statement(SqlMessageNumbers.EmptyStatement, "The statement text is empty. Expected a BACKUP or RESTORE statement.");

    /// <summary>Message 50002 (our own): a form SQL Server accepts that this engine does not run.</summary>
    /// <param name="feature">What was asked for, for example <c>TO DISK</c> or <c>RESTORE REWINDONLY</c>.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage NotSupportedByEngine(string feature) =>
        Statement(SqlMessageNumbers.NotSupportedByEngine,
            $"'{feature}' is not supported by this engine, which runs BACKUP and RESTORE statements on virtual devices only.");

    /// <summary>Message 18456: a login that failed, for whatever reason (the client is not told which).</summary>
    /// <param name="login">The login name the client gave.</param>
    /// <returns>The message, severity 14.</returns>
    public static SqlMessage LoginFailed(string login) =>
        new(SqlMessageNumbers.LoginFailed, 14, 1, $"Login failed for user '{login}'.");

    /// <summary>Message 18452: a login with integrated (Windows, Kerberos) authentication, which the engine does not accept.</summary>
    /// <returns>The message, severity 14.</returns>
    public static SqlMessage IntegratedLoginRefused() =>
        new(SqlMessageNumbers.IntegratedLoginRefused, 14, 1, "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.");

    /// <summary>Message 4060: the login names an initial database the engine does not have.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>The message, severity 11.</returns>
    public static SqlMessage CannotOpenRequestedDatabase(string database) =>
        new(SqlMessageNumbers.CannotOpenRequestedDatabase, 11, 1, $"Cannot open database \"{database}\" requested by the login. The login failed.");

    /// <summary>Message 5701: the session's database changed (at login, state 2; after USE, state 1).</summary>
    /// <param name="database">The new database.</param>
    /// <param name="state">2 at login, 1 after a USE.</param>
    /// <returns>The message, severity 0.</returns>
    public static SqlMessage ChangedDatabaseContext(string database, byte state) =>
        new(SqlMessageNumbers.ChangedDatabaseContext, 0, state, $"Changed database context to '{database}'.");

    /// <summary>Message 5703: the session's language, at login.</summary>
    /// <param name="language">The language, e.g. <c>us_english</c>.</param>
    /// <returns>The message, severity 0.</returns>
    public static SqlMessage ChangedLanguage(string language) =>
        new(SqlMessageNumbers.ChangedLanguage, 0, 1, $"Changed language setting to {language}.");

    /// <summary>Message 2812: an RPC to a stored procedure the engine does not have (it runs sp_executesql only).</summary>
    /// <param name="procedure">The procedure's name.</param>
    /// <returns>The message, severity 16, state 62 as SQL Server gives it.</returns>
    public static SqlMessage StoredProcedureNotFound(string procedure) =>
        new(SqlMessageNumbers.StoredProcedureNotFound, 16, 62, $"Could not find stored procedure '{procedure}'.");

    /// <summary>Message 50003 (our own): the engine failed inside while running the statement.</summary>
    /// <param name="detail">What failed.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage EngineFault(string detail) =>
        Statement(SqlMessageNumbers.EngineFault, $"The engine failed while running the statement: {detail}");

    /// <summary>Message 50004 (our own): a TDS request the engine does not serve.</summary>
    /// <param name="request">What was asked, e.g. <c>a transaction manager request</c>.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage RequestNotSupported(string request) =>
        Statement(SqlMessageNumbers.RequestNotSupported, $"This engine does not serve {request}; it runs BACKUP and RESTORE statements on virtual devices.");

    /// <summary>Message 50005 (our own): a NAME or DESCRIPTION longer than the documented limit.</summary>
    /// <param name="option">NAME or DESCRIPTION.</param>
    /// <param name="length">Its length, in characters.</param>
    /// <param name="limit">The documented limit, in characters.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage TextOptionTooLong(string option, int length, int limit) =>
        Statement(SqlMessageNumbers.TextOptionTooLong,
            string.Create(CultureInfo.InvariantCulture, $"The {option} option is {length} characters long; it may be at most {limit} characters."));

    /// <summary>Message 50006 (our own): a name that cannot be a database of this engine.</summary>
    /// <param name="database">The name as written.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage InvalidDatabaseName(string database) =>
        Statement(SqlMessageNumbers.InvalidDatabaseName,
            string.Create(CultureInfo.InvariantCulture, $"'{database}' is not a valid database name: 1 to {Databases.DatabaseCatalogue.MaxNameLength} ASCII letters, digits, '_', '-' or '.', not starting with '.'."));

    /// <summary>Message 50007 (our own): where a stripe is damaged, sent before 3189.</summary>
    /// <param name="device">The device the stripe came from.</param>
    /// <param name="offset">The byte offset in the stripe of the damaged structure; negative when not known.</param>
    /// <param name="detail">What was found there.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage StripeDamaged(string device, long offset, string detail) =>
        Statement(SqlMessageNumbers.StripeDamaged, offset >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"{device}: damaged at offset {offset:N0}: {detail}")
            : $"{device}: damaged: {detail}");

    /// <summary>Message 50008 (our own): a database's files or manifest that cannot be opened or read.</summary>
    /// <param name="reason">What the system or the catalogue said.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage DatabaseFilesUnusable(string reason) =>
        Statement(SqlMessageNumbers.DatabaseFilesUnusable, $"The database's files cannot be used: {reason}");

    /// <summary>Message 3701: DROP DATABASE of a database that does not exist.</summary>
    /// <param name="database">The name as written.</param>
    /// <returns>The message, severity 11.</returns>
    public static SqlMessage CannotDropDatabaseNotFound(string database) =>
        new(SqlMessageNumbers.CannotDropDatabaseNotFound, 11, 1, $"Cannot drop the database '{database}', because it does not exist or you do not have permission.");

    /// <summary>Message 3702: DROP DATABASE of a database a statement is using.</summary>
    /// <param name="database">The database.</param>
    /// <returns>The message, severity 16, state 4 as SQL Server gives it.</returns>
    public static SqlMessage CannotDropDatabaseInUse(string database) =>
        new(SqlMessageNumbers.CannotDropDatabaseInUse, 16, 4, $"Cannot drop database \"{database}\" because it is currently in use.");

    /// <summary>Message 5011 (SQL Server's for a database file operation that failed): a DROP DATABASE whose files could not be deleted.</summary>
    /// <param name="database">The database.</param>
    /// <param name="reason">What the operating system said.</param>
    /// <returns>The message, severity 16.</returns>
    public static SqlMessage DropFailed(string database, string reason) =>
        Statement(SqlMessageNumbers.DropFailed, $"Could not drop database '{database}': {reason}");

    // Severity 15 is the class SQL Server gives errors found while compiling the batch.
    private static SqlMessage Compile(int number, byte state, string text) => new(number, 15, state, text);

    // Severity 16 is the class of errors found while the statement runs.
    private static SqlMessage Statement(int number, string text) => new(number, 16, 1, text);

    // Severity 10 is informational: clients print the text without a "Msg" header.
    private static SqlMessage Information(int number, string text) => new(number, 10, 1, text);
}
