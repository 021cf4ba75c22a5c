using OpenVdi.Engine.Messages;

namespace OpenVdi.Engine.Execution;

/// <summary>A RESTORE that SQL Server refuses once it has read the backup set's header, with the message it sends.</summary>
internal sealed class RestoreRefusedException : Exception
{
    public RestoreRefusedException(SqlMessage refusal) : base(refusal.Text) => Refusal = refusal;

    public RestoreRefusedException() => Refusal = SqlMessages.BackupOrRestoreAborted();

    public RestoreRefusedException(string message) : base(message) => Refusal = SqlMessages.BackupOrRestoreAborted();

    public RestoreRefusedException(string message, Exception inner) : base(message, inner) => Refusal = SqlMessages.BackupOrRestoreAborted();

    public SqlMessage Refusal { get; }
}
