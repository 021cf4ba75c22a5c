namespace OpenVdi.Engine.Statements;

/// <summary>One <c>MOVE 'logical' TO 'path'</c> clause of a RESTORE.</summary>
/// <param name="LogicalName">The logical file name recorded in the backup set.</param>
/// <param name="PhysicalName">The operating-system path to restore that file to.</param>
public sealed record FileMove(string LogicalName, string PhysicalName);
