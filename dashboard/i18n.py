"""Every word the dashboard shows, in Vietnamese (the default) and English.

Indicator names come from the indicator catalogue itself, so the map, the tables and the
annual report always call an indicator the same thing.
"""

from __future__ import annotations

from readiness.indicators.catalog import INDICATORS

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"

TEXTS: dict[str, tuple[str, str]] = {
    # Shell
    "app_title": ("Theo dõi mức độ sẵn sàng ứng dụng CNTT", "ICT readiness tracker"),
    "page_map": ("Bản đồ", "Map"),
    "page_district": ("Huyện, thành phố", "District"),
    "page_inventory": ("Máy tính", "Inventory"),
    "page_network": ("Mạng truyền số liệu", "Network"),
    "page_data": ("Cập nhật dữ liệu", "Data"),
    "synthetic": (
        "Dữ liệu mô phỏng (synthetic) — không phải số liệu thật.",
        "Synthetic demo data — not real figures.",
    ),
    "no_data": ("không có dữ liệu", "no data"),
    "no_data_yet": ("Chưa có dữ liệu.", "No data yet."),
    "as_of": ("Số liệu tính đến ngày", "Figures as of"),
    # Network page: websites
    "websites_title": (
        "Trang thông tin điện tử, cổng dịch vụ công",
        "Websites and e-service portals",
    ),
    "no_websites": (
        "Chưa khai báo trang web nào (ictr import websites).",
        "No website configured yet (ictr import websites).",
    ),
    "never_updated": ("không rõ", "unknown"),
    # Editor access
    "editor": ("Biên tập", "Editing"),
    "password": ("Mật khẩu biên tập", "Editor password"),
    "sign_in": ("Đăng nhập", "Sign in"),
    "sign_out": ("Đăng xuất", "Sign out"),
    "wrong_password": ("Mật khẩu không đúng.", "Wrong password."),
    "sign_in_locked": (
        "Đăng nhập sai quá nhiều lần: tạm khoá đăng nhập biên tập đến {until} ({zone}).",
        "Too many failed sign-ins: editor sign-in is locked until {until} ({zone}).",
    ),
    "signed_in": ("Đang ở chế độ biên tập.", "Editing is enabled."),
    "no_editor_configured": (
        "Chưa có tài khoản (ictr users add) hay mật khẩu biên tập "
        "(ICTR_EDITOR_PASSWORD_HASH): không ai sửa được dữ liệu.",
        "No account (ictr users add) and no editor password (ICTR_EDITOR_PASSWORD_HASH): "
        "nobody can edit.",
    ),
    # Accounts
    "username": ("Tên đăng nhập", "Username"),
    "account_password": ("Mật khẩu", "Password"),
    "wrong_sign_in": (
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    "signed_in_as": ("Đã đăng nhập: {name} — {role}{scope}.", "Signed in: {name}, {role}{scope}."),
    "role_viewer": ("chỉ xem", "viewer"),
    "role_editor": ("biên tập", "editor"),
    "role_admin": ("quản trị", "admin"),
    "scope_of": (", đơn vị {unit}", ", unit {unit}"),
    "session_idle": (
        "Phiên làm việc đã kết thúc vì không hoạt động; hãy đăng nhập lại.",
        "Your session ended after a time without activity; sign in again.",
    ),
    "session_changed": (
        "Tài khoản đã thay đổi (mật khẩu, quyền hoặc bị khoá); hãy đăng nhập lại.",
        "Your account changed (password, role, or disabled); sign in again.",
    ),
    "login_required": (
        "Hãy đăng nhập ở thanh bên trái để xem bảng điều khiển.",
        "Sign in in the sidebar to see the dashboard.",
    ),
    "sso_sign_in": ("Đăng nhập một lần (SSO)", "Single sign-on"),
    "sso_unknown": (
        "{who} chưa có tài khoản trong hệ thống: đề nghị quản trị viên tạo tài khoản.",
        "{who} has no account here: ask an admin to add one.",
    ),
    "sso_misconfigured": (
        "Đăng nhập một lần chưa cấu hình đủ: {reason}",
        "Single sign-on: {reason}",
    ),
    "sso_needs_authlib": (
        "Đăng nhập một lần cần gói Authlib: pip install -e '.[sso]'.",
        "Single sign-on needs Authlib: pip install -e '.[sso]'.",
    ),
    "admin_only": (
        "Chỉ tài khoản quản trị được làm việc này.",
        "Only an admin account can do this.",
    ),
    "editor_required": (
        "Trang này dành cho cán bộ CNTT: đăng nhập biên tập ở thanh bên trái.",
        "This page is for the IT department: sign in as editor in the sidebar.",
    ),
    # Map page
    "map_title": ("Bản đồ mức độ sẵn sàng", "Readiness map"),
    "map_title_of": ("Bản đồ mức độ sẵn sàng — {province}", "Readiness map — {province}"),
    "map_date": ("Ngày số liệu", "Date of the figures"),
    "compare_mode": ("So sánh hai thời điểm", "Compare two dates"),
    "compare_from": ("So với ngày", "Compared with"),
    "change_of": ("Thay đổi: {label}", "Change: {label}"),
    "change_caption": (
        "Thay đổi từ {start} đến {end}, theo {level} của ngày {end}; số liệu ngày {start} "
        "được cộng lại theo đơn vị mới (bảng tương ứng 2020 → 2025).",
        "Change from {start} to {end}, by the {level} of {end}; the figures of {start} are "
        "summed again onto the new units (the 2020 → 2025 correspondence).",
    ),
    "compare_divided": (
        "{count} xã cũ bị chia cho nhiều xã mới: số liệu của xã cũ được tính cho xã mặc định.",
        "{count} former communes were divided among several new ones: their records count "
        "for the default part.",
    ),
    "compare_order": (
        "Ngày so sánh phải trước ngày số liệu.",
        "The date compared with must come before the date of the figures.",
    ),
    "era_2020": (
        "Cấu trúc 3 cấp (đến 30/06/2025): tỉnh – huyện – xã.",
        "Three-level structure (to 30 June 2025): province – district – commune.",
    ),
    "era_2025": (
        "Chính quyền địa phương 2 cấp (từ 01/07/2025): tỉnh – xã; không còn cấp huyện.",
        "Two-level local government (from 1 July 2025): province – commune; no districts.",
    ),
    "unit_no_data": ("Chưa có dữ liệu", "No data"),
    "units_no_data": (
        "{count} đơn vị chưa có dữ liệu (màu xám) / no data",
        "{count} units with no data (grey) / chưa có dữ liệu",
    ),
    "value_at": ("Ngày {date}", "On {date}"),
    "indicator_shown": ("Chỉ tiêu hiển thị", "Indicator shown"),
    "index": ("Chỉ số sẵn sàng tổng hợp (0–1)", "Composite readiness index (0–1)"),
    "units_shown": ("Đơn vị hành chính", "Units"),
    "level_district": ("Huyện, thành phố", "Districts"),
    "level_commune": ("Xã, phường, thị trấn", "Communes"),
    "show_points": (
        "Hiện điểm kết nối và trang web",
        "Show connection points and websites",
    ),
    "rank": ("Xếp hạng", "Rank"),
    "rank_of": ("{rank}/{total}", "{rank} of {total}"),
    "approximate": (
        "Ranh giới gần đúng, chỉ để minh hoạ",
        "Approximate boundaries, for illustration only",
    ),
    "boundary_source": ("Nguồn ranh giới", "Boundary source"),
    "click_district": (
        "Bấm vào một huyện trên bản đồ để mở trang của huyện đó.",
        "Click a district on the map to open its page.",
    ),
    "ranking": ("Bảng xếp hạng", "Ranking"),
    "no_boundaries": (
        "Chưa có ranh giới: chạy `ictr init` hoặc nạp tệp ranh giới ở trang Cập nhật dữ liệu.",
        "No boundaries yet: run `ictr init` or upload a boundary file on the Data page.",
    ),
    "points_legend": ("Điểm kết nối", "Connection points"),
    "status_up": ("Hoạt động", "Up"),
    "status_degraded": ("Suy giảm", "Degraded"),
    "status_down": ("Mất kết nối", "Down"),
    "status_no_data": ("Chưa có dữ liệu", "No data"),
    "status_failing": ("Chứng chỉ số không hợp lệ", "Certificate refused"),
    "websites_legend": ("Trang thông tin điện tử", "Websites"),
    "website": ("Trang web", "Website"),
    "http_status": ("Mã HTTP", "HTTP status"),
    "cert_days_left": ("Chứng chỉ số còn (ngày)", "Certificate days left"),
    "last_updated": ("Cập nhật lần cuối", "Last updated"),
    "availability_7d": ("Độ sẵn sàng 7 ngày", "Availability, 7 days"),
    "availability_30d": ("Độ sẵn sàng 30 ngày", "Availability, 30 days"),
    "address": ("Địa chỉ", "Address"),
    "last_check": ("Kiểm tra lần cuối", "Last check"),
    "never_checked": ("chưa kiểm tra", "never checked"),
    "loss": ("Mất gói", "Packet loss"),
    "median_rtt": ("Độ trễ trung vị", "Median RTT"),
    "availability_24h": ("Độ sẵn sàng 24 giờ", "Availability, 24 h"),
    "status": ("Trạng thái", "Status"),
    # Summary strip
    "sum_districts": ("Huyện, thành phố", "Districts"),
    "sum_communes": ("Xã, phường", "Communes"),
    "sum_agencies": ("Cơ quan, đơn vị", "Agencies"),
    "sum_officials": ("CBCCVC", "Officials"),
    "sum_computers": ("Máy tính đang dùng", "Computers in use"),
    "sum_points_up": ("Điểm kết nối hoạt động", "Points up"),
    "sum_computer_ratio": ("Máy tính/CBCCVC", "Computers/official"),
    # District page
    "district_title": ("Huyện, thành phố", "District"),
    "choose_district": ("Chọn huyện", "District"),
    "district_date": ("Ngày số liệu (đến 30/06/2025)", "Date of the figures (to 30 June 2025)"),
    "district_era_note": (
        "Cấp huyện chỉ có đến 30/06/2025; từ 01/07/2025 xem bản đồ theo xã.",
        "Districts exist until 30 June 2025; from 1 July 2025 see the map by commune.",
    ),
    "agencies": ("Cơ quan, đơn vị và cán bộ", "Agencies and officials"),
    "computers_by_age": ("Máy tính đang dùng theo tuổi", "Computers in use by age"),
    "age_years": ("Tuổi (năm)", "Age (years)"),
    "computers": ("Số máy", "Computers"),
    "district_points": ("Điểm kết nối của huyện", "The district's connection points"),
    "latency_history": ("Độ trễ 7 ngày qua", "Latency, last 7 days"),
    "index_trend": ("Chỉ số sẵn sàng qua các kỳ", "Readiness index over the periods"),
    "district_certificates": ("Chứng thư số", "Digital certificates"),
    "expiring_certificates": (
        "Chứng thư số hết hạn trong {days} ngày tới (cần gia hạn)",
        "Certificates expiring within {days} days (to renew)",
    ),
    "no_expiring_certificates": (
        "Không có chứng thư số nào hết hạn trong {days} ngày tới.",
        "No certificate expires within the next {days} days.",
    ),
    "no_snapshots": (
        "Chưa lưu kỳ số liệu nào (`ictr indicators snapshot --period ...`).",
        "No period stored yet (`ictr indicators snapshot --period ...`).",
    ),
    "indicators_of_district": ("Các chỉ tiêu của huyện", "The district's indicators"),
    "value": ("Giá trị", "Value"),
    "province_value": ("Toàn tỉnh", "Province"),
    "period": ("Kỳ", "Period"),
    # Inventory page
    "inventory_title": ("Máy tính", "Computers"),
    "search": ("Tìm (mã tài sản, cơ quan, model, hệ điều hành)", "Search (tag, agency, model, OS)"),
    "filter_district": ("Huyện", "District"),
    "filter_status": ("Tình trạng", "Status"),
    "filter_kind": ("Loại máy", "Kind"),
    "all": ("Tất cả", "All"),
    "shown_of": ("Hiển thị {shown} / {total} máy.", "Showing {shown} of {total} computers."),
    "download_csv": ("Tải bảng (CSV)", "Download table (CSV)"),
    "plan_title": ("Kế hoạch thay thế máy tính", "Computer replacement plan"),
    "budget": ("Ngân sách (đồng)", "Budget (VND)"),
    "plan_unavailable": (
        "Kế hoạch thay thế chưa có: mô-đun vòng đời thiết bị (inventory.lifecycle) chưa được "
        "cài đặt.",
        "The replacement plan is not available yet: the lifecycle module (inventory.lifecycle) "
        "is not installed.",
    ),
    "download_plan": ("Tải kế hoạch (XLSX)", "Download the plan (XLSX)"),
    "plan_start": ("Từ năm", "From year"),
    "plan_years": ("Số năm", "Years"),
    "budget_help": ("0 = không giới hạn kinh phí", "0 = no budget cap"),
    "plan_district": ("Phạm vi", "Scope"),
    "whole_province": ("Toàn tỉnh", "Whole province"),
    "plan_by_district": ("Theo huyện", "By district"),
    "unfunded": (
        "Còn {count} máy ({cost} đồng) chưa bố trí được kinh phí sau năm cuối của kế hoạch.",
        "{count} computers ({cost} VND) remain unfunded after the plan's last year.",
    ),
    "plan_error": ("Không lập được kế hoạch: {message}", "Cannot build the plan: {message}"),
    # Network page
    "network_title": ("Mạng truyền số liệu chuyên dùng", "Government data network"),
    "status_board": ("Bảng trạng thái (xấu nhất trước)", "Status board (worst first)"),
    "choose_point": ("Điểm kết nối", "Connection point"),
    "window": ("Khoảng thời gian", "Window"),
    "latency_chart": ("Độ trễ và mất gói", "Latency and packet loss"),
    "rtt_ms": ("Độ trễ (ms)", "RTT (ms)"),
    "loss_pct": ("Mất gói (%)", "Loss (%)"),
    "time": ("Thời gian", "Time"),
    "method": ("Phương thức đo", "Method"),
    "incidents": ("Sự cố", "Incidents"),
    "no_incidents": ("Không có sự cố trong khoảng thời gian này.", "No incident in this window."),
    "availability": ("Độ sẵn sàng", "Availability"),
    "no_rounds": (
        "Chưa có lần đo nào: chạy `ictr probe` để đo các điểm kết nối.",
        "No round yet: run `ictr probe` to check the points.",
    ),
    "count_by_status": ("Số điểm theo trạng thái", "Points by status"),
    "window_24h": ("24 giờ", "24 hours"),
    "window_7d": ("7 ngày", "7 days"),
    "window_30d": ("30 ngày", "30 days"),
    # Data page
    "data_title": ("Cập nhật dữ liệu", "Data"),
    "import_title": ("Nhập từ tệp CSV/XLSX", "Import a CSV/XLSX file"),
    "entity": ("Loại dữ liệu", "What the file holds"),
    "entity_computers": ("Máy tính", "Computers"),
    "entity_agencies": ("Cơ quan, đơn vị", "Agencies"),
    "entity_points": ("Điểm kết nối", "Connection points"),
    "entity_services": ("Dịch vụ công, hồ sơ TTHC (báo cáo kỳ)", "Public services, dossiers"),
    "default_period": (
        "Kỳ báo cáo của tệp không có cột kỳ (2020, Quý III/2026, Tháng 11/2026)",
        "Period of a file without a period column (2020, 2026Q3, 2026-11)",
    ),
    "entity_certificates": ("Chứng thư số", "Digital certificates"),
    "entity_successions": ("Kế thừa cơ quan (sáp nhập, giải thể)", "Agency successions"),
    "entity_websites": ("Trang thông tin điện tử, cổng dịch vụ", "Websites and portals"),
    "file": ("Tệp", "File"),
    "sheet": ("Trang tính (để trống: trang đầu)", "Sheet (empty: the first)"),
    "default_agency": ("Cơ quan cho dòng để trống", "Agency for rows that name none"),
    "create_agencies": ("Tạo cơ quan chưa có", "Create missing agencies"),
    "default_unit": ("Đơn vị hành chính của cơ quan mới", "Unit of created agencies"),
    "check": ("Kiểm tra (chưa ghi)", "Check (writes nothing)"),
    "do_import": ("Nhập vào cơ sở dữ liệu", "Import into the database"),
    "report_ok": (
        "Tệp hợp lệ: {new} mới, {updated} cập nhật, {unchanged} không đổi.",
        "The file is valid: {new} new, {updated} updated, {unchanged} unchanged.",
    ),
    "imported": (
        "Đã nhập: {new} mới, {updated} cập nhật, {unchanged} không đổi.",
        "Imported: {new} new, {updated} updated, {unchanged} unchanged.",
    ),
    "report_errors": (
        "{rows} dòng lỗi: không ghi gì cả. Sửa tệp rồi nạp lại.",
        "{rows} bad rows: nothing was written. Fix the file and upload it again.",
    ),
    "import_error": ("Không đọc được tệp: {message}", "Cannot read the file: {message}"),
    "boundaries_title": ("Nạp ranh giới hành chính", "Upload boundaries"),
    "boundary_level": ("Cấp", "Level"),
    "boundary_file": (
        "Tệp ranh giới (GeoJSON, GeoPackage, KML, Shapefile nén .zip)",
        "Boundary file (GeoJSON, GeoPackage, KML, zipped Shapefile)",
    ),
    "boundaries_stored": (
        "Đã lưu ranh giới của {n} đơn vị.",
        "Stored the boundaries of {n} units.",
    ),
    "boundaries_refused": ("Không lưu: {reason}", "Nothing stored: {reason}"),
    "demo_title": ("Đặt lại dữ liệu mô phỏng", "Reset the demo data"),
    "demo_explain": (
        "Xoá toàn bộ dữ liệu của cơ sở dữ liệu mô phỏng này rồi nạp lại bộ dữ liệu mẫu Hà Giang.",
        "Deletes everything in this demo database and loads the Hà Giang demo dataset again.",
    ),
    "demo_confirm": ("Tôi hiểu: mọi thay đổi sẽ mất", "I understand: every change will be lost"),
    "demo_reset": ("Đặt lại", "Reset"),
    "demo_done": ("Đã nạp lại dữ liệu mô phỏng.", "The demo data was loaded again."),
    "demo_refused": (
        "Cơ sở dữ liệu này chứa dữ liệu thật: không thể đặt lại.",
        "This database holds real data: it cannot be reset.",
    ),
    # History (the audit trail), on the Data page and a computer's detail
    "history_title": ("Lịch sử thay đổi", "History"),
    "history_explain": (
        "Mỗi lần ghi (nhập tệp, sửa, hoàn tác...) là một lượt thay đổi: ai, lúc nào ({zone}), "
        "lệnh, tệp. Hoàn tác bằng `ictr undo <số>`.",
        "Every write (an import, an edit, an undo...) is one change set: who, when ({zone}), "
        "the command, the file. Undo one with `ictr undo <id>`.",
    ),
    "history_table": ("Chỉ những lượt sửa bảng", "Only change sets of the table"),
    "history_key": (
        "Chỉ những lượt sửa dòng (mã tài sản, mã...)",
        "Only those of the row (asset tag, code...)",
    ),
    "history_rows": ("Các dòng của lượt thay đổi số", "Rows of change set"),
    "history_none": ("Chưa có thay đổi nào được ghi lại.", "No change recorded yet."),
    "computer_detail": ("Chi tiết một máy tính", "One computer"),
    "computer_pick": ("Mã tài sản", "Asset tag"),
    "computer_history": ("Lịch sử của máy", "Its history"),
    # Record edits (dashboard/record_forms.py)
    "save": ("Lưu", "Save"),
    "add": ("Thêm", "Add"),
    "record_saved": (
        "Đã lưu (lượt thay đổi số {change_set}; hoàn tác: ictr undo {change_set}).",
        "Saved (change set {change_set}; undo: ictr undo {change_set}).",
    ),
    "record_unchanged": ("Không có gì thay đổi.", "Nothing changed."),
    "record_refused": ("Không lưu: {message}", "Not saved: {message}"),
    "record_conflict": (
        "Người khác vừa sửa bản ghi này nên không lưu; biểu mẫu đã mở lại với giá trị mới. "
        "{message}",
        "Someone else changed this record, so nothing was saved; the form shows the new "
        "values. {message}",
    ),
    "record_outside_scope": (
        "Máy này thuộc đơn vị ngoài phạm vi biên tập của bạn.",
        "This computer belongs to a unit outside your editing scope.",
    ),
    "computer_edit": ("Sửa thông tin máy", "Edit this computer"),
    "computer_retire": ("Thanh lý máy", "Retire this computer"),
    "computer_retired_on": ("Đã thanh lý ngày {day}.", "Retired on {day}."),
    "retire_confirm": ("Tôi xác nhận thanh lý máy này", "I confirm this computer is retired"),
    "retire_confirm_needed": ("Hãy đánh dấu xác nhận trước.", "Tick the confirmation first."),
    "retire": ("Thanh lý", "Retire"),
    "computer_add": ("Thêm một máy tính", "Add a computer"),
    "records_title": ("Sửa từng bản ghi", "Edit one record"),
    "agency_counts_title": ("Số CBCCVC và người ký số của cơ quan", "An agency's head-counts"),
    "agency_pick": ("Chọn cơ quan", "Choose an agency"),
    "point_edit_title": ("Điểm kết nối mạng truyền số liệu", "Connection points"),
    "point_new": ("(điểm mới)", "(new point)"),
    "point_no_agency": ("(không gắn cơ quan)", "(no agency)"),
    "point_unit": ("Đơn vị hành chính", "Unit"),
    "point_unit_from_agency": ("(theo cơ quan)", "(the agency's)"),
}

UNIT_LABELS = {
    "%": ("%", "%"),
    "years": ("năm", "years"),
    "ms": ("ms", "ms"),
    "ratio": ("tỷ số", "ratio"),
    "count": ("số lượng", "count"),
    "index": ("0–1", "0–1"),
}

STATUS_KEYS = {
    "up": "status_up",
    "degraded": "status_degraded",
    "down": "status_down",
    "no_data": "status_no_data",
    "failing": "status_failing",
}

COMPUTER_STATUS = {
    "in_use": ("Đang sử dụng", "In use"),
    "spare": ("Dự phòng", "Spare"),
    "broken": ("Hỏng", "Broken"),
    "retired": ("Thanh lý", "Retired"),
}
COMPUTER_KIND = {
    "desktop": ("Máy để bàn", "Desktop"),
    "laptop": ("Máy xách tay", "Laptop"),
    "server": ("Máy chủ", "Server"),
    "other": ("Khác", "Other"),
}
CHANGE_ACTION = {
    "inserted": ("Thêm", "Added"),
    "updated": ("Sửa", "Changed"),
    "deleted": ("Xoá", "Removed"),
}

WEBSITE_KIND = {
    "portal": ("Cổng thông tin điện tử", "Portal"),
    "agency_site": ("Trang TTĐT cơ quan", "Agency site"),
    "commune_site": ("Trang TTĐT cấp xã", "Commune site"),
    "service_portal": ("Cổng dịch vụ công, một cửa điện tử", "Public-service portal"),
}
AGENCY_KIND = {
    "provincial": ("Sở, ban, ngành", "Provincial department"),
    "district_committee": ("UBND huyện", "District committee"),
    "commune_committee": ("UBND xã", "Commune committee"),
    "other": ("Khác", "Other"),
}

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "code": ("Mã", "Code"),
    "name": ("Tên", "Name"),
    "asset_tag": ("Mã tài sản", "Asset tag"),
    "kind": ("Loại", "Kind"),
    "manufacturer": ("Hãng", "Manufacturer"),
    "model": ("Model", "Model"),
    "os": ("Hệ điều hành", "OS"),
    "ram_gb": ("RAM (GB)", "RAM (GB)"),
    "purchase_year": ("Năm mua", "Purchase year"),
    "status": ("Tình trạng", "Status"),
    "internet": ("Internet", "Internet"),
    "agency_name": ("Cơ quan", "Agency"),
    "agency_kind": ("Loại cơ quan", "Agency kind"),
    "unit_name": ("Đơn vị hành chính", "Unit"),
    "district_name": ("Huyện", "District"),
    "officials": ("CBCCVC", "Officials"),
    "signing_officials": ("Người ký số", "Signing officials"),
    "computers_in_use": ("Máy tính đang dùng", "Computers in use"),
    "computers_per_official_pct": ("Máy tính/CBCCVC (%)", "Computers per official (%)"),
    "address": ("Địa chỉ", "Address"),
    "last_check": ("Kiểm tra lần cuối", "Last check"),
    "loss_pct": ("Mất gói (%)", "Loss (%)"),
    "rtt_median_ms": ("Độ trễ trung vị (ms)", "Median RTT (ms)"),
    "availability_24h_pct": ("Độ sẵn sàng 24 giờ (%)", "Availability 24 h (%)"),
    "availability_7d_pct": ("Độ sẵn sàng 7 ngày (%)", "Availability 7 d (%)"),
    "availability_30d_pct": ("Độ sẵn sàng 30 ngày (%)", "Availability 30 d (%)"),
    "rounds_24h": ("Số lần đo 24 giờ", "Rounds, 24 h"),
    "down_from": ("Mất từ", "Down from"),
    "up_at": ("Có lại lúc", "Up again"),
    "duration_min": ("Thời lượng (phút)", "Duration (min)"),
    "agent": ("Trạm đo", "Agent"),
    "os_upgrade_blocker": ("Vướng mắc nâng cấp HĐH", "OS upgrade blocker"),
    "notes": ("Ghi chú", "Notes"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "value": ("Giá trị", "Value"),
    "province_value": ("Toàn tỉnh", "Province"),
    "period": ("Kỳ", "Period"),
    "index": ("Chỉ số", "Index"),
    "rank": ("Xếp hạng", "Rank"),
    "year": ("Năm", "Year"),
    "point_status": ("Trạng thái", "Status"),
    "row": ("Dòng", "Row"),
    "column": ("Cột", "Column"),
    "reason": ("Lý do", "Reason"),
    "replace": ("Thay thế", "Replace"),
    "new": ("Mua mới", "New"),
    "count": ("Tổng số máy", "Computers"),
    "cost_vnd": ("Kinh phí (đồng)", "Cost (VND)"),
    "holder": ("Họ và tên", "Holder"),
    "title": ("Chức vụ", "Title"),
    "agency": ("Cơ quan", "Agency"),
    "expires_on": ("Ngày hết hạn", "Expires"),
    "days_left": ("Còn (ngày)", "Days left"),
    "change_set": ("Lượt", "Change set"),
    "at": ("Thời điểm", "When"),
    "user": ("Người thực hiện", "Who"),
    "command": ("Lệnh", "Command"),
    "file": ("Tệp", "File"),
    "counts": ("Số dòng", "Rows"),
    "table": ("Bảng", "Table"),
    "key": ("Dòng", "Row"),
    "action": ("Thao tác", "Action"),
    "changes": ("Trước → sau", "Before → after"),
    "website_status": ("Trạng thái", "Status"),
    "url": ("Địa chỉ trang", "Address"),
    "website_kind": ("Loại trang", "Kind"),
    "http_status": ("Mã HTTP", "HTTP status"),
    "cert_days_left": ("Chứng chỉ số còn (ngày)", "Certificate days left"),
    "last_updated": ("Cập nhật lần cuối", "Last updated"),
    "tcp_ports": ("Cổng TCP", "TCP ports"),
    "latitude": ("Vĩ độ", "Latitude"),
    "longitude": ("Kinh độ", "Longitude"),
    "provider": ("Nhà cung cấp", "Provider"),
    "bandwidth_mbps": ("Băng thông (Mbps)", "Bandwidth (Mbps)"),
    "retired_on": ("Ngày thanh lý", "Retired on"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def tr(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from `values`."""
    text = _pick(TEXTS[key], lang)
    return text.format(**values) if values else text


def indicator_label(key: str, lang: str) -> str:
    if key == "index":
        return tr("index", lang)
    indicator = INDICATORS[key]
    return indicator.label_en if lang == "en" else indicator.label_vi


def unit_label(unit: str, lang: str) -> str:
    return _pick(UNIT_LABELS.get(unit, (unit, unit)), lang)


def status_label(status: str, lang: str) -> str:
    return tr(STATUS_KEYS[status], lang)


def enum_label(table: dict[str, tuple[str, str]], value: str | None, lang: str) -> str:
    if value is None:
        return ""
    return _pick(table[value], lang) if value in table else value


def column_label(column: str, lang: str) -> str:
    return _pick(COLUMN_LABELS[column], lang) if column in COLUMN_LABELS else column
