using OpenVdi.Engine.Messages;
using OpenVdi.Engine.Statements;

namespace OpenVdi.Engine.Tests.Statements;

public class SqlMessageCatalogueTests
{
    [Fact]
    public void Success_3014_names_the_operation_pages_time_and_rate()
    {
        var message = SqlMessages.SuccessfullyProcessed("BACKUP DATABASE", 1280, TimeSpan.FromMilliseconds(2500));

        Assert.Equal(3014, message.Number);
        Assert.Equal(10, message.Severity);
        Assert.False(message.IsError);
        // 1280 pages of 8 KB are 10 MB; in 2.5 seconds that is 4 MB/sec.
        Assert.Equal("BACKUP DATABASE successfully processed 1280 pages in 2.500 seconds (4.000 MB/sec).", message.Text);
    }

    [Fact]
    public void Success_3014_survives_an_instant_operation()
    {
        var message = SqlMessages.SuccessfullyProcessed("RESTORE LOG", 0, TimeSpan.Zero);
        Assert.Equal("RESTORE LOG successfully processed 0 pages in 0.000 seconds (0.000 MB/sec).", message.Text);
    }

    [Fact]
    public void Failure_3013_names_the_operation()
    {
        var message = SqlMessages.TerminatingAbnormally("VERIFY DATABASE");

        Assert.Equal(new SqlMessage(3013, 16, 1, "VERIFY DATABASE is terminating abnormally."), message);
        Assert.True(message.IsError);
    }

    [Fact]
    public void Progress_and_per_file_messages_read_as_sql_server_prints_them()
    {
        Assert.Equal(new SqlMessage(3211, 10, 1, "30 percent processed."), SqlMessages.PercentProcessed(30));
        Assert.Equal(
            new SqlMessage(4035, 10, 1, "Processed 368 pages for database 'Sales', file 'Sales_Data' on file 1."),
            SqlMessages.ProcessedPages(368, "Sales", "Sales_Data", 1));
        Assert.Equal(new SqlMessage(3262, 10, 1, "The backup set on file 1 is valid."), SqlMessages.BackupSetValid(1));
    }

    [Fact]
    public void Device_and_media_errors_have_severity_16()
    {
        Assert.Equal(
            new SqlMessage(3201, 16, 1, "Cannot open backup device 'set'. Operating system error 0x80770003(VD_E_TIMEOUT)."),
            SqlMessages.CannotOpenBackupDevice("set", "0x80770003(VD_E_TIMEOUT)"));
        Assert.Equal(
            new SqlMessage(3241, 16, 1, "The media family on device 'set' is incorrectly formed. SQL Server cannot process this media family."),
            SqlMessages.MediaFamilyIncorrectlyFormed("set"));
        Assert.Equal(new SqlMessage(3189, 16, 1, "Damage to the backup set was detected."), SqlMessages.BackupSetDamaged());
        Assert.Equal(
            new SqlMessage(3183, 16, 1, "RESTORE detected an error on page (1:57) in database \"Sales\" as read from the backup set."),
            SqlMessages.RestoreDetectedPageError(1, 57, "Sales"));
        Assert.Equal(new SqlMessage(3204, 16, 1, "The backup or restore was aborted."), SqlMessages.BackupOrRestoreAborted());
    }

    [Fact]
    public void Restore_over_an_existing_database_messages()
    {
        Assert.Equal(
            new SqlMessage(3101, 16, 1, "Exclusive access could not be obtained because the database is in use."),
            SqlMessages.ExclusiveAccessNotObtained());
        Assert.Equal(
            "The tail of the log for the database \"Sales\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.",
            SqlMessages.TailOfLogNotBackedUp("Sales").Text);
        Assert.Equal(
            new SqlMessage(3154, 16, 1, "The backup set holds a backup of a database other than the existing 'Sales' database."),
            SqlMessages.BackupSetHoldsOtherDatabase("Sales"));
    }

    [Fact]
    public void Every_factory_uses_its_catalogued_number()
    {
        Assert.Equal(SqlMessageNumbers.IncorrectSyntax, SqlMessages.IncorrectSyntax("x").Number);
        Assert.Equal(SqlMessageNumbers.TooManyBackupDevices, SqlMessages.TooManyBackupDevices().Number);
        Assert.Equal(SqlMessageNumbers.ValueOutOfRange, SqlMessages.ValueOutOfRange(0, "STATS").Number);
        Assert.Equal(SqlMessageNumbers.ChecksumNotInBackupSet, SqlMessages.ChecksumNotInBackupSet().Number);
        Assert.Equal(SqlMessageNumbers.LogicalFileNotInDatabase, SqlMessages.LogicalFileNotInDatabase("f", "d").Number);
        Assert.Equal(SqlMessageNumbers.MediaFamiliesMissing, SqlMessages.MediaFamiliesMissing(2, 1).Number);
        Assert.Equal(SqlMessageNumbers.VirtualDeviceConfigurationUnusable, SqlMessages.VirtualDeviceConfigurationUnusable().Number);
        Assert.Equal(SqlMessageNumbers.WriteFailed, SqlMessages.WriteFailed("d", "e").Number);
        Assert.Equal(SqlMessageNumbers.ReadFailed, SqlMessages.ReadFailed("d", "e").Number);
    }

    [Fact]
    public void Our_own_numbers_are_in_the_user_defined_range()
    {
        Assert.True(SqlMessageNumbers.EmptyStatement >= 50000);
        Assert.True(SqlMessageNumbers.NotSupportedByEngine >= 50000);
    }

    [Fact]
    public void An_error_prints_like_sqlcmd_and_information_prints_its_text()
    {
        var error = SqlMessages.IncorrectSyntax("x") with { LineNumber = 3 };
        Assert.Equal("Msg 102, Level 15, State 1, Line 3\nIncorrect syntax near 'x'.", error.ToString());
        Assert.Equal("10 percent processed.", SqlMessages.PercentProcessed(10).ToString());
    }

    [Fact]
    public void The_operation_names_match_the_statements()
    {
        Assert.Equal("RESTORE FILELIST", Parse.Restore("RESTORE FILELISTONLY FROM VIRTUAL_DEVICE = 's'").OperationName);
        Assert.Equal(
            SqlMessages.TerminatingAbnormally("RESTORE FILELIST").Text,
            Parse.Fails("RESTORE FILELISTONLY FROM VIRTUAL_DEVICE = ''").Messages[1].Text);
    }
}
