namespace OpenVdi;

/// <summary>What an asynchronous GetCommand of OpenVdi's transport answers: the result code, and the command on NOERROR.</summary>
internal readonly record struct CommandFetch(VdiResult Result, VdcCommand? Command);
