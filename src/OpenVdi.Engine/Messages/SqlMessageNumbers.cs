namespace OpenVdi.Engine.Messages;

/// <summary>
/// The message numbers the engine answers with. Every number below 50000 is SQL Server's own, with
/// the meaning <c>sys.messages</c> gives it, so that a client written against SQL Server recognises
/// it. Numbers from 50000 up are the range SQL Server leaves to user-defined messages; the engine
/// uses it for the few answers SQL Server has no message for, so they can never be mistaken for one
/// of SQL Server's. <see cref="SqlMessages"/> builds the messages themselves.
/// </summary>
public static class SqlMessageNumbers
{
    // ---- Compile-time errors (severity 15): the batch is rejected before anything runs. ----

    /// <summary>102: "Incorrect syntax near '%.*ls'."</summary>
    public const int IncorrectSyntax = 102;

    /// <summary>103: "The identifier that starts with '%.*ls' is too long. Maximum length is 128."</summary>
    public const int IdentifierTooLong = 103;

    /// <summary>105: "Unclosed quotation mark after the character string '%.*ls'."</summary>
    public const int UnclosedQuotationMark = 105;

    /// <summary>113: "Missing end comment mark '*/'."</summary>
    public const int MissingEndCommentMark = 113;

    /// <summary>137: "Must declare the scalar variable "%.*ls"." The engine runs one statement with no DECLARE, so every variable is undeclared.</summary>
    public const int MustDeclareScalarVariable = 137;

    /// <summary>155: "'%.*ls' is not a recognized %ls option."</summary>
    public const int NotARecognizedOption = 155;

    /// <summary>156: "Incorrect syntax near the keyword '%.*ls'."</summary>
    public const int IncorrectSyntaxNearKeyword = 156;

    /// <summary>1007: "The number '%.*ls' is out of the range for numeric representation (maximum precision 38)."</summary>
    public const int NumberOutOfRange = 1007;

    /// <summary>1038: an object name is missing or empty (<c>[]</c> or <c>""</c> as a database name).</summary>
    public const int ObjectNameMissingOrEmpty = 1038;

    /// <summary>1039: "Option '%.*ls' is specified more than once." Using it for a repeated BACKUP/RESTORE option is our choice: SQL Server does not document its answer there.</summary>
    public const int OptionSpecifiedMoreThanOnce = 1039;

    // ---- Statement errors (severity 16), each followed by 3013. ----

    /// <summary>911: "Database '%.*ls' does not exist. Make sure that the name is entered correctly."</summary>
    public const int DatabaseDoesNotExist = 911;

    /// <summary>927 (severity 14): "Database '%.*ls' cannot be opened. It is in the middle of a restore." A BACKUP of a database left restoring (WITH NORECOVERY).</summary>
    public const int DatabaseInMiddleOfRestore = 927;

    /// <summary>3117: "The log or differential backup cannot be restored because no files are ready to rollforward." RESTORE LOG, or of a differential, onto a database that is not restoring.</summary>
    public const int NoFilesReadyToRollForward = 3117;

    /// <summary>3135: "The backup set in file '%ls' was created by %hs and cannot be used for this restore operation." RESTORE DATABASE of a log backup, RESTORE LOG of a database backup.</summary>
    public const int BackupSetWrongKind = 3135;

    /// <summary>701: "There is insufficient system memory in resource pool '%ls' to run this query." (severity 17).</summary>
    public const int InsufficientMemory = 701;

    /// <summary>4208: "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. …" BACKUP LOG of a database without a log file (the engine's SIMPLE recovery).</summary>
    public const int LogBackupNotAllowedInSimpleRecovery = 4208;

    /// <summary>3013: "%hs is terminating abnormally." The last message of every failed BACKUP or RESTORE.</summary>
    public const int TerminatingAbnormally = 3013;

    /// <summary>3031: "Option '%ls' conflicts with option(s) '%ls'. Remove the conflicting option and reissue the statement."</summary>
    public const int OptionConflict = 3031;

    /// <summary>3032: "One or more of the options (%ls) are not supported for this statement. Review the documentation for supported options."</summary>
    public const int OptionsNotSupported = 3032;

    /// <summary>3044: "Invalid zero-length device name. Reissue the BACKUP statement with a valid device name."</summary>
    public const int ZeroLengthDeviceName = 3044;

    /// <summary>3101: "Exclusive access could not be obtained because the database is in use."</summary>
    public const int ExclusiveAccessNotObtained = 3101;

    /// <summary>3132: "The media set has %d media families but only %d are provided. All members must be provided."</summary>
    public const int MediaFamiliesMissing = 3132;

    /// <summary>3154: "The backup set holds a backup of a database other than the existing '%ls' database."</summary>
    public const int BackupSetHoldsOtherDatabase = 3154;

    /// <summary>3159: the tail of the log of the database being restored over has not been backed up.</summary>
    public const int TailOfLogNotBackedUp = 3159;

    /// <summary>3183: "RESTORE detected an error on page (%d:%d) in database "%ls" as read from the backup set."</summary>
    public const int RestoreDetectedPageError = 3183;

    /// <summary>3187: "RESTORE WITH CHECKSUM cannot be specified because the backup set does not contain checksum information."</summary>
    public const int ChecksumNotInBackupSet = 3187;

    /// <summary>3189: "Damage to the backup set was detected."</summary>
    public const int BackupSetDamaged = 3189;

    /// <summary>3201: "Cannot open backup device '%ls'. Operating system error %ls."</summary>
    public const int CannotOpenBackupDevice = 3201;

    /// <summary>3202: "Write on "%ls" failed: %ls"</summary>
    public const int WriteFailed = 3202;

    /// <summary>3203: "Read on "%ls" failed: %ls"</summary>
    public const int ReadFailed = 3203;

    /// <summary>3204: "The backup or restore was aborted."</summary>
    public const int BackupOrRestoreAborted = 3204;

    /// <summary>3205: "Too many backup devices specified for backup or restore; only %d are allowed."</summary>
    public const int TooManyBackupDevices = 3205;

    /// <summary>3206: a named (logical) backup device that does not exist; the engine has none.</summary>
    public const int BackupDeviceDoesNotExist = 3206;

    /// <summary>3207: "Backup or restore requires at least one backup device. Rerun your statement specifying a backup device."</summary>
    public const int NoBackupDevice = 3207;

    /// <summary>3234: "Logical file '%.*ls' is not part of database '%ls'. Use RESTORE FILELISTONLY to list the logical file names."</summary>
    public const int LogicalFileNotInDatabase = 3234;

    /// <summary>3241: "The media family on device '%ls' is incorrectly formed. SQL Server cannot process this media family."</summary>
    public const int MediaFamilyIncorrectlyFormed = 3241;

    /// <summary>3250: "The value '%d' is not within range for the %ls parameter." SQL Server does not document which number a MAXTRANSFERSIZE that is not a multiple of 64 KB gets; using this one for it is our choice.</summary>
    public const int ValueOutOfRange = 3250;

    /// <summary>3253: "The block size parameter must supply a value that is a power of 2."</summary>
    public const int BlockSizeNotPowerOfTwo = 3253;

    /// <summary>3261: "SQL Server cannot use the virtual device configuration."</summary>
    public const int VirtualDeviceConfigurationUnusable = 3261;

    /// <summary>8115: "Arithmetic overflow error converting %ls to data type %ls." Given for an option value that does not fit an int; the number is inferred from how SQL Server converts constants, not documented for BACKUP.</summary>
    public const int ArithmeticOverflow = 8115;

    // ---- Informational messages (severity 10). ----

    /// <summary>3014: "%hs successfully processed %I64d pages in %d.%03d seconds (%d.%03d MB/sec)."</summary>
    public const int SuccessfullyProcessed = 3014;

    /// <summary>3211: "%d percent processed." The STATS progress message.</summary>
    public const int PercentProcessed = 3211;

    /// <summary>3262: "The backup set on file %d is valid." The success message of RESTORE VERIFYONLY.</summary>
    public const int BackupSetValid = 3262;

    /// <summary>4035: "Processed %I64d pages for database '%ls', file '%ls' on file %d."</summary>
    public const int ProcessedPages = 4035;

    // ---- Sessions: what SQL Server answers a TDS client at login and for session statements. ----

    /// <summary>2812: "Could not find stored procedure '%.*ls'." An RPC to a procedure other than sp_executesql.</summary>
    public const int StoredProcedureNotFound = 2812;

    /// <summary>4060: "Cannot open database "%.*ls" requested by the login. The login failed."</summary>
    public const int CannotOpenRequestedDatabase = 4060;

    /// <summary>5701: "Changed database context to '%.*ls'." (information, severity 0).</summary>
    public const int ChangedDatabaseContext = 5701;

    /// <summary>5703: "Changed language setting to %.*ls." (information, severity 0).</summary>
    public const int ChangedLanguage = 5703;

    /// <summary>18452: "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication."</summary>
    public const int IntegratedLoginRefused = 18452;

    /// <summary>18456: "Login failed for user '%.*ls'." The client is never told why (wrong password, unknown login); the server's log is.</summary>
    public const int LoginFailed = 18456;

    // ---- Our own numbers (user-defined range): SQL Server has no message for these answers. ----

    /// <summary>50001 (our choice): the statement text holds no statement at all.</summary>
    public const int EmptyStatement = 50001;

    /// <summary>50002 (our choice): a valid SQL Server form that this engine does not run (TO DISK, SELECT, RESTORE REWINDONLY, …).</summary>
    public const int NotSupportedByEngine = 50002;

    /// <summary>50003 (our choice): the engine failed inside while it ran the statement (a bug, not a statement error).</summary>
    public const int EngineFault = 50003;

    /// <summary>50004 (our choice): a TDS request the engine does not serve (a transaction manager request, a bulk load, a parameter type it cannot read).</summary>
    public const int RequestNotSupported = 50004;

    /// <summary>50005 (our choice): a NAME or DESCRIPTION longer than BACKUP documents (128 and 255 characters).</summary>
    public const int TextOptionTooLong = 50005;

    /// <summary>50006 (our choice): a database name the engine cannot hold (its names are also directory names).</summary>
    public const int InvalidDatabaseName = 50006;

    /// <summary>50007 (our choice): where a damaged stripe is damaged, before 3189 (SQL Server says only that the set is damaged).</summary>
    public const int StripeDamaged = 50007;

    /// <summary>50008 (our choice): a database's files or manifest cannot be opened or read (not the backup's devices: those are 3201-3203).</summary>
    public const int DatabaseFilesUnusable = 50008;

    /// <summary>3701: "Cannot drop the database '%.*ls', because it does not exist or you do not have permission."</summary>
    public const int CannotDropDatabaseNotFound = 3701;

    /// <summary>5011 (our use): a DROP DATABASE whose files could not be deleted.</summary>
    public const int DropFailed = 5011;

    /// <summary>3702: "Cannot drop database "%.*ls" because it is currently in use."</summary>
    public const int CannotDropDatabaseInUse = 3702;
}
