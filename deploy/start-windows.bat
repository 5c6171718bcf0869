@echo off
rem 政务信息考评仪表盘：Windows 启动脚本（双击运行，或由计划任务在开机时运行）。
rem 数据库位置用环境变量 SCORING_DB 指定；未指定时为项目目录下的 data\kaoping.duckdb。
chcp 65001 >nul
setlocal
cd /d "%~dp0.."
if not defined SCORING_DB set "SCORING_DB=%CD%\data\kaoping.duckdb"
if not defined PORT set "PORT=8501"
if not exist ".venv\Scripts\streamlit.exe" (
  echo 尚未安装：请先运行 deploy\install-offline-windows.bat
  exit /b 2
)
echo 数据库：%SCORING_DB%
echo 仪表盘地址：http://本机IP:%PORT%
".venv\Scripts\streamlit.exe" run server.py --server.address 0.0.0.0 --server.port %PORT% --server.headless true --server.maxUploadSize 50 --server.fileWatcherType none --browser.gatherUsageStats false
