# 在 Windows 上登记两个计划任务（以管理员身份运行 PowerShell）：
#   政务信息考评仪表盘 —— 开机时启动 deploy\start-windows.bat（失败后每分钟重试，最多 3 次）
#   政务信息考评备份   —— 每天 02:30 运行 deploy\backup-windows.bat
# 用法：powershell -ExecutionPolicy Bypass -File deploy\register-windows-tasks.ps1 -Db D:\kaoping\kaoping.duckdb
param(
    [string]$Db = "",
    [string]$User = "SYSTEM"
)
$ErrorActionPreference = "Stop"
$root = Split-Path -Parent $PSScriptRoot
if ($Db -ne "") {
    [Environment]::SetEnvironmentVariable("SCORING_DB", $Db, "Machine")
    Write-Host "已设置系统环境变量 SCORING_DB = $Db"
}
$forever = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 3 `
    -RestartInterval (New-TimeSpan -Minutes 1) -StartWhenAvailable
$start = New-ScheduledTaskAction -Execute "cmd.exe" -Argument "/c `"$root\deploy\start-windows.bat`"" `
    -WorkingDirectory $root
Register-ScheduledTask -TaskName "政务信息考评仪表盘" -Action $start -Trigger (New-ScheduledTaskTrigger -AtStartup) `
    -User $User -RunLevel Highest -Settings $forever -Force | Out-Null
$backup = New-ScheduledTaskAction -Execute "cmd.exe" -Argument "/c `"$root\deploy\backup-windows.bat`"" `
    -WorkingDirectory $root
Register-ScheduledTask -TaskName "政务信息考评备份" -Action $backup -Trigger (New-ScheduledTaskTrigger -Daily -At 2:30am) `
    -User $User -RunLevel Highest -Settings (New-ScheduledTaskSettingsSet -StartWhenAvailable) -Force | Out-Null
Write-Host "已登记计划任务：政务信息考评仪表盘（开机启动）、政务信息考评备份（每天 02:30）"
Write-Host "立即启动：Start-ScheduledTask -TaskName 政务信息考评仪表盘"
