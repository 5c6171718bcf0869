@echo off
rem 备份数据库到项目目录下的 backup\，文件名带日期时间，保留 30 天。仪表盘运行时也可备份。
rem 由计划任务每天运行（见 register-windows-tasks.ps1），也可手动双击。
chcp 65001 >nul
setlocal
cd /d "%~dp0.."
if not defined SCORING_DB set "SCORING_DB=%CD%\data\kaoping.duckdb"
for /f %%i in ('powershell -NoProfile -Command "Get-Date -Format yyyyMMdd-HHmm"') do set "STAMP=%%i"
if not exist backup mkdir backup
".venv\Scripts\python.exe" -m scoring backup --db "%SCORING_DB%" --out "backup\kaoping-%STAMP%.duckdb" || exit /b 1
forfiles /p backup /m kaoping-*.duckdb /d -30 /c "cmd /c del @path" >nul 2>nul
exit /b 0
