# Giao diện tiếng Việt (ngôn ngữ mặc định). Mọi khóa ở đây phải có trong en/main.ftl và ngược lại;
# tests/web.rs kiểm tra điều đó. Dùng đúng thuật ngữ của Cổng Dịch vụ công quốc gia.

## Khung trang

portal-name = Cổng Dịch vụ công quốc gia
portal-service = Tài khoản và đăng nhập
skip-to-main = Bỏ qua, đến nội dung chính
language-label = Ngôn ngữ
footer-about = Hệ thống tài khoản và đăng nhập của Cổng Dịch vụ công quốc gia.
footer-privacy = Thông tin cá nhân của bạn chỉ được dùng để xác thực và cung cấp dịch vụ công.

## Hành động chung

action-sign-in = Đăng nhập
action-register = Đăng ký
action-sign-out = Đăng xuất
action-forgot-password = Quên mật khẩu
action-confirm = Xác nhận
action-continue = Tiếp tục
action-back = Quay lại
action-cancel = Hủy
action-update = Cập nhật
action-skip = Bỏ qua

## Trường nhập liệu

field-required = (bắt buộc)
field-username = Tên đăng nhập
field-username-hint = Số CMND/CCCD hoặc số định danh cá nhân
field-personal-id = Số định danh cá nhân
field-personal-id-hint = Gồm 12 chữ số, in trên thẻ Căn cước công dân
field-password = Mật khẩu
field-password-new = Mật khẩu mới
field-password-confirm = Nhập lại mật khẩu
field-captcha = Mã xác thực
field-captcha-hint = Nhập bằng chữ số các số được viết ở trên, ví dụ "bảy – hai" là 72
field-otp = Mã OTP
field-otp-hint = Mã gồm 6 chữ số đã gửi đến số điện thoại { $phone }
field-full-name = Họ và tên
field-birth-date = Ngày sinh
field-birth-date-hint = Ví dụ: 25/12/1990
field-gender = Giới tính
gender-male = Nam
gender-female = Nữ
field-phone = Số điện thoại
field-phone-hint = Ví dụ: 0912345678
field-email = Thư điện tử
field-bhxh-code = Mã số BHXH
field-bhxh-code-hint = Gồm 10 chữ số, in trên sổ BHXH hoặc thẻ BHYT
field-tax-code = Mã số thuế

## Hiện/ẩn mật khẩu (chỉ hiện khi trình duyệt chạy JavaScript)

password-show = Hiện
password-hide = Ẩn
password-show-label = Hiện mật khẩu
password-hide-label = Ẩn mật khẩu

## OTP

otp-resend = Gửi lại OTP
# { $seconds } là số giây còn lại; trang đếm ngược thay nó mỗi giây.
otp-resend-wait = Gửi lại OTP ({ $seconds }s)
otp-other-method = Chọn phương thức xác thực khác
otp-lost-phone = Mất số điện thoại nhận OTP

## Các thẻ của trang đăng nhập

login-methods = Phương thức đăng nhập
login-tab-id-card = CMT/CCCD
login-tab-usb-token = USB ký số
login-tab-sim-pki = SIM ký số
login-tab-vneid = VNeID

## Biểu mẫu: tóm tắt lỗi và thông báo

error-summary-title = Vui lòng kiểm tra lại thông tin
error-prefix = Lỗi:
error-field-required = { $field } không được để trống
error-field-invalid = { $field } không hợp lệ
notice-info = Thông tin
notice-success = Thành công
notice-error = Lỗi

## Trang chủ

home-title = Tài khoản Cổng Dịch vụ công quốc gia
home-lead = Một tài khoản để sử dụng dịch vụ công trực tuyến của các bộ, ngành và địa phương.
home-sign-in-lead = Đăng nhập bằng số định danh cá nhân, USB ký số, SIM ký số hoặc tài khoản VNeID.
home-register-lead = Chưa có tài khoản? Đăng ký bằng thuê bao di động, mã số BHXH, USB ký số hoặc SIM ký số.
home-sandbox-heading = Hộp thư thử nghiệm
home-sandbox-note = Môi trường thử nghiệm: mọi dữ liệu đều là giả lập.
home-sandbox-sms = Tin nhắn SMS đã gửi
home-sandbox-email = Thư điện tử đã gửi
home-sandbox-people = Công dân giả lập (JSON)
home-ops-heading = Vận hành

## Trang lỗi

error-home-link = Về trang chủ
error-not-found-title = Không tìm thấy trang
error-not-found-message = Địa chỉ bạn truy cập không tồn tại hoặc đã được chuyển đi. Vui lòng kiểm tra lại địa chỉ.
error-csrf-title = Yêu cầu bị từ chối
error-csrf-message = Yêu cầu này được gửi từ một trang web khác nên đã bị chặn để bảo vệ tài khoản của bạn. Vui lòng quay lại trang chủ và thực hiện lại.
error-bad-request-title = Yêu cầu không hợp lệ
error-bad-request-message = Thông tin gửi lên không đúng định dạng. Vui lòng thử lại.
error-forbidden-title = Không có quyền truy cập
error-forbidden-message = Bạn không có quyền xem trang này.
error-expired-title = Phiên làm việc đã hết hạn
error-expired-message = Vì lý do an toàn, thao tác này đã hết thời gian. Vui lòng thực hiện lại từ đầu.
error-too-many-requests-title = Quá nhiều lần thử
error-too-many-requests-message = Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.
error-internal-title = Đã xảy ra lỗi
error-internal-message = Hệ thống gặp sự cố khi xử lý yêu cầu. Vui lòng thử lại sau.
error-unavailable-title = Dịch vụ tạm thời gián đoạn
error-unavailable-message = Hệ thống đang bận hoặc một hệ thống liên kết không phản hồi. Vui lòng thử lại sau ít phút.

## Lỗi của API và của luồng

error-unauthorized-title = Chưa đăng nhập
error-unauthorized-message = Vui lòng đăng nhập để tiếp tục.
flow-expired = Phiên thao tác không còn hiệu lực (đã hết hạn hoặc được mở trên thiết bị khác). Vui lòng thực hiện lại từ đầu.
flow-conflict = Thao tác này vừa được thực hiện ở một thẻ khác. Vui lòng tải lại trang.
api-bad-flow-request = Cần gửi JSON có trường "kind" là login, register_phone, register_bhxh, recovery hoặc add_phone.
api-bad-action = Hành động không hợp lệ: cần JSON có trường "action" và các trường của hành động đó (xem /api/openapi.json).
api-bad-request-body = Nội dung yêu cầu không đúng định dạng JSON mong đợi (xem /api/openapi.json).

## Lý do từ chối trong các bước (mã ổn định ở problem-*)

problem-credentials-invalid = Số định danh hoặc mật khẩu không đúng.
problem-account-locked = Tài khoản đang bị khóa. Vui lòng liên hệ tổng đài hỗ trợ.
problem-account-no-otp-phone = Tài khoản chưa có số điện thoại nhận OTP. Vui lòng liên hệ tổng đài hỗ trợ.
problem-account-exists = Số định danh này đã có tài khoản. Hãy đăng nhập, hoặc dùng "Quên mật khẩu" nếu không nhớ mật khẩu.
problem-account-no-personal-id = Tài khoản chưa có số định danh cá nhân.
problem-throttled = Bạn đã thử quá nhiều lần. Vui lòng thử lại sau { $minutes } phút.
problem-captcha-required = Vui lòng nhập mã xác thực.
problem-captcha-wrong = Mã xác thực không đúng. Vui lòng nhập mã mới.
problem-otp-wrong = Mã OTP không đúng. Bạn còn { $left } lần thử.
problem-otp-exhausted = Mã OTP đã bị nhập sai quá số lần cho phép. Vui lòng chọn "Gửi lại OTP".
problem-otp-expired = Mã OTP đã hết hiệu lực. Vui lòng chọn "Gửi lại OTP".
problem-otp-used = Mã OTP đã được sử dụng.
problem-otp-resend-too-soon = Vui lòng đợi { $seconds } giây trước khi gửi lại OTP.
problem-otp-resend-limit = Đã hết số lần gửi lại OTP. Vui lòng thực hiện lại từ đầu.
problem-sms-daily-limit = Số điện thoại này đã nhận quá số tin nhắn OTP cho phép trong ngày. Vui lòng thử lại vào ngày mai.
problem-sms-unavailable = Chưa gửi được tin nhắn OTP do hệ thống tin nhắn đang gián đoạn. Vui lòng thử lại sau ít phút.
problem-identity-mismatch = Thông tin không khớp với Cơ sở dữ liệu quốc gia. Vui lòng kiểm tra lại họ tên và ngày sinh.
problem-identity-not-found = Không tìm thấy thông tin công dân. Vui lòng kiểm tra lại số đã nhập.
problem-registry-unavailable = Chưa kiểm tra được thông tin do hệ thống liên kết đang gián đoạn. Vui lòng thử lại sau ít phút.
problem-phone-not-owner = Số điện thoại này không đăng ký chính chủ mang tên bạn.
problem-phone-unknown-choice = Số điện thoại đã chọn không thuộc tài khoản.
problem-phone-already-added = Số điện thoại này đã là số nhận OTP của tài khoản.
problem-phone-last = Không thể xóa số điện thoại nhận OTP duy nhất của tài khoản.
problem-bhxh-no-phone = Hồ sơ BHXH chưa có số điện thoại. Vui lòng đăng ký bằng thuê bao di động.
problem-field-invalid = Thông tin không hợp lệ.
problem-field-required = Không được để trống.
problem-full-name-invalid = Họ và tên không hợp lệ.
problem-birth-date-invalid = Ngày sinh không hợp lệ (ví dụ: 25/12/1990).
problem-password-mismatch = Hai lần nhập mật khẩu không giống nhau.
problem-password-wrong = Mật khẩu không đúng.
problem-action-unexpected = Thao tác không phù hợp với bước hiện tại. Vui lòng tải lại trang.
