# Giao diện tiếng Việt (ngôn ngữ mặc định). Mọi khóa ở đây phải có trong en/main.ftl và ngược lại;
# tests/web.rs kiểm tra điều đó. Dùng đúng thuật ngữ của Cổng Dịch vụ công quốc gia.

## Khung trang

portal-name = Cổng Dịch vụ công quốc gia
portal-service = Tài khoản và đăng nhập
skip-to-main = Bỏ qua, đến nội dung chính
language-label = Ngôn ngữ
header-signed-in-as = Đã đăng nhập:
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
field-value = Thông tin
field-captcha = Mã xác thực
field-captcha-words = Mã xác thực: { $words }
field-captcha-hint = Nhập bằng chữ số các số được viết ở trên, ví dụ "bảy – hai" là 72
captcha-verifying = Đang xác minh trình duyệt, vui lòng chờ trong giây lát…
captcha-verified = Đã xác minh trình duyệt.
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
field-bhxh-code-hint = 10 chữ số in trên sổ BHXH hoặc thẻ BHYT; mã số mới là số định danh cá nhân 12 chữ số
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
login-tab-password-sms = CMT/CCCD
login-tab-totp = Ứng dụng xác thực
login-tab-usb-token = USB ký số
login-tab-sim-pki = SIM ký số
login-tab-remote-signing = VNPT SmartCA
login-tab-vneid = VNeID

## Biểu mẫu: tóm tắt lỗi và thông báo

error-summary-title = Vui lòng kiểm tra lại thông tin
error-prefix = Lỗi:
error-field-required = { $field } không được để trống
error-field-invalid = { $field } không hợp lệ
notice-info = Thông tin
notice-success = Thành công
notice-error = Lỗi
form-busy = Đang xử lý…
form-busy-checking = Đang kiểm tra…
form-busy-registries = Đang đối chiếu thông tin với các cơ sở dữ liệu quốc gia, việc này có thể mất vài giây. Vui lòng chờ, không cần bấm lại.

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
problem-account-recovery-required = Tài khoản này đã bị nhập sai mật khẩu quá nhiều lần. Để bảo vệ tài khoản, việc đăng nhập tạm dừng cho tới khi bạn đặt mật khẩu mới bằng "Quên mật khẩu".
problem-method-not-offered = Phương thức đăng nhập này không được hỗ trợ ở đây.
problem-phone-daily-limit = Bạn đã thêm số điện thoại nhận OTP tối đa cho phép trong ngày. Vui lòng thử lại vào ngày mai.
problem-registration-throttled = Hôm nay đã có quá nhiều lần đăng ký với thông tin không khớp từ thiết bị này hoặc cho số định danh này. Vui lòng kiểm tra lại thông tin và thử lại vào ngày mai.
problem-step-up-other-account = Vui lòng đăng nhập bằng chính tài khoản bạn đang sử dụng.
problem-account-exists = Số định danh này đã có tài khoản. Hãy đăng nhập, hoặc dùng "Quên mật khẩu" nếu không nhớ mật khẩu.
problem-account-no-personal-id = Tài khoản chưa có số định danh cá nhân.
problem-throttled = Bạn đã thử quá nhiều lần. Vui lòng thử lại sau { $minutes } phút.
problem-captcha-required = Vui lòng nhập mã xác thực.
problem-captcha-wrong = Mã xác thực không đúng. Vui lòng nhập mã mới.
problem-otp-wrong = Mã OTP không đúng. Bạn còn { $left } lần thử.
problem-otp-exhausted = Mã OTP đã bị nhập sai quá số lần cho phép. Vui lòng chọn "Gửi lại OTP".
problem-otp-expired = Mã OTP đã hết hiệu lực. Vui lòng chọn "Gửi lại OTP".
problem-otp-resend-too-soon = Vui lòng đợi { $seconds } giây trước khi gửi lại OTP.
problem-otp-resend-limit = Đã hết số lần gửi lại OTP. Vui lòng thực hiện lại từ đầu.
problem-agent-challenge-expired = Yêu cầu ký đã quá 5 phút. Vui lòng thực hiện lại.
problem-certificate-not-bound = Chứng thư số này chưa gắn với tài khoản nào trên Cổng. Hãy đăng ký tài khoản bằng chính chứng thư số này (USB ký số, SIM ký số hoặc VNPT SmartCA), hoặc đăng nhập rồi gắn chứng thư số trong mục Thông tin tài khoản.
problem-pki-expired = Không dùng được chứng thư số này.
problem-pki-not-yet-valid = Không dùng được chứng thư số này.
problem-pki-revoked = Không dùng được chứng thư số này.
problem-pki-untrusted-issuer = Không dùng được chứng thư số này.
problem-pki-key-usage = Không dùng được chứng thư số này để đăng nhập.
problem-pki-policy-not-allowed = Không dùng được chứng thư số này để đăng nhập bằng USB ký số.
problem-pki-revocation-unavailable = Chưa kiểm tra được trạng thái chứng thư số, nên chưa thể đăng nhập. Vui lòng thử lại sau ít phút.
problem-pki-malformed = Không đọc được chứng thư số.
problem-pki-no-identity = Chứng thư số không ghi số định danh cá nhân hoặc mã số thuế.
problem-pki-token-invalid = Chữ ký từ công cụ ký số không hợp lệ.
problem-business-inactive = Doanh nghiệp của mã số thuế này đang tạm ngừng kinh doanh hoặc đã giải thể theo Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp.
problem-business-not-found = Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp không có doanh nghiệp với mã số thuế trong chứng thư số.
problem-business-registry-unavailable = Chưa kết nối được Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp. Vui lòng thử lại sau ít phút.
problem-signing-authorization-failed = Đăng nhập tại dịch vụ ký số từ xa không thành công hoặc đã bị hủy. Vui lòng thử lại.
problem-signing-cancelled = Yêu cầu ký đã bị từ chối trên điện thoại. Nếu không phải bạn từ chối, hãy thử lại.
problem-signing-card-blocked = Sim ký số hoặc khóa ký trên Sim đã bị khóa. Vui lòng liên hệ nhà mạng.
problem-signing-daily-limit = Số điện thoại này đã nhận quá số yêu cầu ký cho phép trong ngày. Vui lòng dùng cách đăng nhập khác hoặc thử lại vào ngày mai.
problem-signing-failed = Dịch vụ ký số không ký được yêu cầu này. Vui lòng thử lại sau.
problem-signing-no-credential = Tài khoản ký số từ xa của bạn chưa có chứng thư số để ký.
problem-signing-no-sim = Số điện thoại này không có Sim ký số. Vui lòng kiểm tra lại số, hoặc liên hệ nhà mạng để đăng ký Sim ký số.
problem-signing-phone-unreachable = Không liên lạc được với điện thoại (tắt máy hoặc ngoài vùng phủ sóng). Vui lòng thử lại.
problem-signing-pin-blocked = Mã PIN của Sim ký số đã bị khóa do nhập sai nhiều lần. Vui lòng liên hệ nhà mạng để mở khóa.
problem-signing-timed-out = Hết thời gian chờ xác nhận trên điện thoại. Vui lòng thử lại.
problem-signing-unavailable = Dịch vụ ký số tạm thời không truy cập được. Vui lòng thử lại sau hoặc dùng cách đăng nhập khác.
problem-sms-daily-limit = Số điện thoại này đã nhận quá số tin nhắn OTP cho phép trong ngày. Vui lòng thử lại vào ngày mai.
problem-sms-unavailable = Hệ thống tin nhắn SMS tạm thời không phản hồi nên chưa gửi được mã OTP, vui lòng thử lại sau.
problem-identity-mismatch = Họ tên hoặc ngày sinh không khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng kiểm tra lại họ tên và ngày sinh.
problem-identity-not-found = Không tìm thấy thông tin công dân. Vui lòng kiểm tra lại số đã nhập.
problem-registry-unavailable = Hệ thống cơ sở dữ liệu liên kết tạm thời không phản hồi, vui lòng thử lại sau.
problem-population-unavailable = Hệ thống Cơ sở dữ liệu quốc gia về dân cư tạm thời không phản hồi, vui lòng thử lại sau.
problem-subscribers-unavailable = Hệ thống Cơ sở dữ liệu thuê bao di động tạm thời không phản hồi, vui lòng thử lại sau.
problem-bhxh-unavailable = Hệ thống Bảo hiểm xã hội (BHXH) tạm thời không phản hồi, vui lòng thử lại sau.
problem-phone-not-owner = Số điện thoại này không đăng ký chính chủ mang tên bạn.
problem-phone-unknown-choice = Số điện thoại đã chọn không thuộc tài khoản.
problem-phone-already-added = Số điện thoại này đã là số nhận OTP của tài khoản.
problem-phone-last = Không thể xóa số điện thoại nhận OTP duy nhất của tài khoản.
problem-bhxh-no-phone = Hồ sơ BHXH chưa có số điện thoại. Vui lòng đăng ký bằng thuê bao di động.
problem-bhxh-mismatch = Họ tên hoặc ngày sinh không khớp với hồ sơ Bảo hiểm xã hội (BHXH). Vui lòng nhập đúng như trên sổ BHXH.
problem-bhxh-not-found = Không tìm thấy hồ sơ BHXH với mã số này. Vui lòng kiểm tra lại mã số BHXH.
problem-personal-id-gender-mismatch = Giới tính không khớp với số định danh cá nhân đã nhập.
problem-personal-id-not-theirs = Số định danh này không khớp với họ tên và ngày sinh của tài khoản trong CSDL Quốc gia về Dân cư. Hãy kiểm tra lại số đã nhập; nếu họ tên hoặc ngày sinh của tài khoản chưa đúng, hãy gọi tổng đài hỗ trợ.
problem-personal-id-taken = Số định danh cá nhân này đã thuộc một tài khoản khác trên Cổng. Hãy đăng nhập bằng tài khoản đó, hoặc gọi tổng đài hỗ trợ để được kiểm tra.
problem-vneid-cancelled = Bạn chưa hoàn tất đăng nhập tại VNeID. Hãy thử lại, hoặc chọn cách đăng nhập khác.
problem-vneid-conflict = Tài khoản định danh điện tử này không thể liên kết tự động với tài khoản trên Cổng. Vui lòng gọi tổng đài hỗ trợ để được kiểm tra.
problem-vneid-failed = Không xác nhận được kết quả đăng nhập từ VNeID. Vui lòng đăng nhập lại bằng VNeID.
problem-vneid-identity-mismatch = Thông tin từ VNeID không khớp với Cơ sở dữ liệu quốc gia về dân cư. Vui lòng gọi tổng đài hỗ trợ.
problem-vneid-last-method = Không thể hủy liên kết: VNeID là cách đăng nhập duy nhất của tài khoản này.
problem-vneid-level-too-low = Dịch vụ này yêu cầu tài khoản định danh điện tử mức 2. Tài khoản VNeID của bạn đang ở mức 1: hãy đến cơ quan Công an để nâng lên mức 2, hoặc chọn cách đăng nhập khác (USB ký số, Sim ký số, VNPT SmartCA).
problem-vneid-not-linked = Tài khoản này chưa liên kết với VNeID.
problem-vneid-prove-account = Số định danh của bạn đã có tài khoản trên Cổng nhưng chưa được xác thực. Hãy đăng nhập tài khoản đó một lần để liên kết với VNeID.
problem-vneid-unavailable = Hệ thống VNeID đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút, hoặc chọn cách đăng nhập khác.
problem-personal-id-birth-year-mismatch = Năm sinh không khớp với số định danh cá nhân đã nhập.
problem-field-invalid = { $field } không hợp lệ.
problem-field-required = { $field } không được để trống.
problem-full-name-invalid = Họ và tên không hợp lệ.
problem-birth-date-invalid = Ngày sinh không hợp lệ (ví dụ: 25/12/1990).
problem-password-mismatch = Hai lần nhập mật khẩu không giống nhau.
problem-password-wrong = Mật khẩu không đúng.
problem-action-unexpected = Thao tác không phù hợp với bước hiện tại. Vui lòng tải lại trang.

## Trang đăng nhập, đăng ký và các bước

login-no-account = Chưa có tài khoản? Đăng ký
login-coming-soon = Phương thức đăng nhập này đang được triển khai. Hiện bạn có thể đăng nhập bằng số CMT/CCCD, mật khẩu và mã OTP.
login-use-id-card = Đăng nhập bằng CMT/CCCD
flow-identify-lead = Nhập số định danh cá nhân (hoặc số CMND) của tài khoản. Mã OTP sẽ được gửi tới số điện thoại nhận OTP của tài khoản.
flow-otp-title = Xác thực OTP
flow-otp-lead = Mã OTP gồm 6 chữ số đã được gửi tới số điện thoại { $phone }. Mã có hiệu lực trong 5 phút.
flow-otp-lead-hidden = Nếu số định danh đã có tài khoản, mã OTP gồm 6 chữ số đã được gửi tới số điện thoại nhận OTP của tài khoản.
flow-otp-not-sent = Hôm nay số { $phone } đã nhận đủ số tin nhắn OTP cho phép nên chưa có mã nào được gửi. Hãy nhận mã qua số khác của tài khoản, hoặc chọn "Mất số điện thoại nhận OTP".
otp-send-to = Gửi mã tới số { $phone }
flow-new-phone-title = Đổi số điện thoại nhận OTP
flow-new-phone-lead = Nhập số điện thoại mới. Số này phải đăng ký chính chủ mang tên bạn; mã OTP sẽ được gửi tới số mới để xác nhận.
field-phone-new = Số điện thoại mới
flow-phone-refused-message = Thông tin chủ thuê bao của số điện thoại mới không khớp với thông tin tài khoản, nên số điện thoại nhận OTP chưa được thay đổi. Vui lòng đến cửa hàng giao dịch của nhà mạng để cập nhật thông tin thuê bao chính chủ, rồi thực hiện lại.
flow-register-phone-title = Đăng ký bằng thuê bao di động
flow-register-phone-lead = Nhập thông tin của bạn. Các trường có dấu * là bắt buộc. Số điện thoại phải đăng ký chính chủ mang tên bạn.
flow-register-bhxh-title = Đăng ký bằng mã số BHXH
flow-register-bhxh-lead = Nhập mã số BHXH, họ tên và ngày sinh như trên sổ BHXH. Mã OTP sẽ được gửi tới số điện thoại đã đăng ký với cơ quan BHXH.
flow-password-title = Đặt mật khẩu
flow-password-holder = Tài khoản: { $holder }
flow-password-hint = Ít nhất { $min } ký tự. Nên dùng một cụm từ dễ nhớ; không dùng số định danh, số điện thoại, ngày sinh hay họ tên.
flow-add-phone-title = Thêm số điện thoại nhận OTP
flow-add-phone-lead = Nhập số điện thoại mới và mật khẩu hiện tại. Mã OTP sẽ được gửi tới số mới để xác nhận.
done-signed-in-title = Đăng nhập thành công
done-signed-in-message = Bạn đã đăng nhập.
done-registered-certificate-title = Đăng ký thành công
done-registered-certificate-message = Tài khoản của bạn đã được tạo, gắn với chứng thư số vừa dùng. Bạn đăng nhập bằng USB ký số này.
done-registered-sim-title = Đăng ký thành công
done-registered-sim-message = Tài khoản của bạn đã được tạo, gắn với chứng thư số trên SIM ký số vừa dùng. Bạn đăng nhập bằng SIM ký số này.
done-registered-remote-title = Đăng ký thành công
done-registered-remote-message = Tài khoản của bạn đã được tạo, gắn với chứng thư số VNPT SmartCA vừa dùng. Bạn đăng nhập bằng VNPT SmartCA.
done-registered-title = Đăng ký thành công
done-registered-message = Tài khoản của bạn đã được tạo. Bạn có thể đăng nhập bằng số định danh cá nhân, mật khẩu và mã OTP.
done-password-reset-title = Đặt lại mật khẩu thành công
done-password-reset-message = Mật khẩu mới đã có hiệu lực và mọi phiên đăng nhập cũ đã kết thúc. Vui lòng đăng nhập lại.
done-phone-changed-title = Đã ghi nhận yêu cầu đổi số điện thoại nhận OTP
done-phone-changed-message = Số điện thoại nhận OTP mới sẽ có hiệu lực sau 24 giờ. Trong thời gian đó số cũ có thể hủy thay đổi, và không thể đổi số điện thoại hay mật khẩu.
done-phone-added-title = Đã thêm số điện thoại nhận OTP
done-phone-added-message = Số điện thoại mới đã được thêm vào tài khoản.
register-title = Đăng ký tài khoản
register-lead = Chọn đối tượng và phương thức đăng ký.
register-kind-citizen = Công dân
register-kind-business = Doanh nghiệp
register-kind-agency = Cơ quan nhà nước
register-channel-phone = Thuê bao di động
register-channel-phone-lead = Phổ biến nhất: dùng số điện thoại đăng ký chính chủ mang tên bạn.
register-channel-bhxh = Mã số BHXH
register-channel-bhxh-lead = Dùng mã số bảo hiểm xã hội; mã OTP gửi tới số điện thoại đã đăng ký với BHXH.
flow-register-certificate-title = Đăng ký bằng USB ký số
flow-register-sim-title = Đăng ký bằng SIM ký số
flow-register-remote-title = Đăng ký bằng VNPT SmartCA
flow-register-certificate-lead = Chứng thư số trên USB ký số cho biết bạn là ai. Kiểm tra thông tin dưới đây và thêm địa chỉ e-mail để hoàn tất đăng ký; sau đó bạn đăng nhập bằng USB ký số.
flow-register-sim-lead = Chứng thư số trên SIM ký số cho biết bạn là ai. Kiểm tra thông tin dưới đây và thêm địa chỉ e-mail để hoàn tất đăng ký; sau đó bạn đăng nhập bằng SIM ký số.
flow-register-remote-lead = Chứng thư số của bạn trên VNPT SmartCA cho biết bạn là ai. Kiểm tra thông tin dưới đây và thêm địa chỉ e-mail để hoàn tất đăng ký; sau đó bạn đăng nhập bằng VNPT SmartCA.
flow-register-certificate-email-hint = Cổng gửi thông báo về tài khoản tới địa chỉ này.
register-certificate-kind = Loại tài khoản
register-certificate-issuer = Tổ chức cấp chứng thư số
register-certificate-not-after = Chứng thư số có hiệu lực đến
register-channel-usb = USB ký số
register-channel-usb-lead = Dùng chứng thư số cá nhân trên USB ký số; không cần mã OTP.
register-channel-usb-business-lead = Dùng chứng thư số của doanh nghiệp (ghi mã số thuế) trên USB ký số: tài khoản doanh nghiệp theo mã số thuế.
register-channel-sim = SIM ký số
register-channel-sim-lead = Xác nhận bằng mã PIN của SIM ký số trên điện thoại; không cần mã OTP.
register-channel-sim-business-lead = SIM ký số mang chứng thư số của doanh nghiệp (ghi mã số thuế): tài khoản doanh nghiệp theo mã số thuế.
register-channel-remote = VNPT SmartCA
register-channel-remote-lead = Đăng nhập VNPT SmartCA và xác nhận trên ứng dụng SmartCA.
field-sim-phone = Số điện thoại của SIM ký số
field-sim-phone-hint = Ví dụ: 0912345678. Điện thoại sẽ hiện yêu cầu ký kèm mã kiểm tra.
flow-sim-phone-lead = Nhập số điện thoại có SIM ký số. Bạn sẽ xác nhận trên điện thoại bằng mã PIN của SIM.
problem-certificate-account-exists = Số định danh hoặc mã số thuế trong chứng thư số đã có tài khoản. Hãy đăng nhập bằng tài khoản đó rồi gắn chứng thư số trong mục Thông tin tài khoản.
problem-certificate-already-bound = Chứng thư số này đã gắn với một tài khoản. Hãy đăng nhập bằng USB ký số.
problem-certificate-legacy-id = Chứng thư số ghi số CMND cũ. Hãy đăng ký bằng số điện thoại, hoặc đề nghị tổ chức cung cấp cấp lại chứng thư số ghi số định danh cá nhân.
register-business-coming = Tài khoản cơ quan nhà nước đang được triển khai.
register-have-account = Đã có tài khoản? Đăng nhập

## Thông tin tài khoản

account-title = Thông tin tài khoản
account-identity-heading = Thông tin định danh
account-channel = Phương thức đăng ký
account-refresh = Cập nhật từ CSDL Quốc gia về Dân cư
account-phones-heading = Số điện thoại nhận OTP
account-actions = Thao tác
account-phone-default = Mặc định
account-bind-certificate = Gắn chứng thư số ({ $method })
account-remove-certificate = Gỡ chứng thư số { $phone }
account-remove-certificate-lead = Nhập mật khẩu để gỡ chứng thư số { $phone } khỏi tài khoản. Số điện thoại nhận OTP sẽ nhận tin nhắn báo thay đổi này.
account-done-certificate-removed = Đã gỡ chứng thư số.
account-done-certificate-bound = Đã gắn chứng thư số; bạn có thể đăng nhập bằng USB ký số này.
done-certificate-bound-title = Đã gắn chứng thư số
done-certificate-bound-message = Chứng thư số đã được gắn vào tài khoản của bạn; từ nay bạn có thể đăng nhập bằng USB ký số này.
flow-bind-certificate-title = Gắn chứng thư số
problem-certificate-other-holder = Chứng thư số này ghi số định danh hoặc mã số thuế khác với tài khoản của bạn.
problem-certificate-last = Đây là cách đăng nhập duy nhất của tài khoản: hãy gắn chứng thư số khác trước khi gỡ chứng thư số này.
problem-certificate-unknown = Không tìm thấy chứng thư số này trong tài khoản.
account-certificates-heading = Chứng thư số
account-vneid-heading = Tài khoản định danh điện tử (VNeID)
account-vneid-level = mức { $level }
account-vneid-linked = Đã liên kết với tài khoản VNeID { $level } lúc { $at }
account-unlink-vneid = Hủy liên kết VNeID
account-unlink-vneid-lead = Nhập mật khẩu để hủy liên kết tài khoản với VNeID. Sau đó bạn không thể đăng nhập tài khoản này bằng VNeID cho đến khi liên kết lại. Số điện thoại nhận OTP sẽ nhận tin nhắn báo thay đổi này.
account-done-vneid-unlinked = Đã hủy liên kết VNeID.
account-certificate = Chứng thư số
account-certificate-dates = Hiệu lực
account-certificate-not-after = Hiệu lực đến { $at }
account-certificate-last-used = Dùng lần cuối: { $at }
account-make-default = Đặt { $phone } làm số mặc định
account-remove-phone = Xóa số { $phone }
account-make-default-lead = Nhập mật khẩu để đặt số { $phone } làm số nhận OTP mặc định. Số mặc định hiện tại sẽ nhận tin nhắn báo thay đổi này.
account-remove-phone-lead = Nhập mật khẩu để xóa số { $phone } khỏi danh sách số nhận OTP. Số này sẽ nhận tin nhắn báo thay đổi.
account-add-phone = Thêm số điện thoại nhận OTP
account-password-heading = Đổi mật khẩu
field-password-current = Mật khẩu hiện tại
account-change-password = Đổi mật khẩu
account-sessions-heading = Các phiên đăng nhập
account-signed-in-at = Đăng nhập lúc
account-device = Thiết bị
account-session-current = Phiên này
account-last-seen = Hoạt động gần nhất: { $at }
account-end-others = Đăng xuất khỏi các thiết bị khác
account-history-heading = Lịch sử tài khoản
account-when = Thời gian
account-what = Sự kiện
account-done-refreshed = Đã cập nhật thông tin từ CSDL Quốc gia về Dân cư.
personal-id-title = Cập nhật số định danh cá nhân
personal-id-lead = Tài khoản của bạn chưa có số định danh cá nhân (số Căn cước công dân 12 chữ số). Nhập số này để đối chiếu với CSDL Quốc gia về Dân cư theo họ tên và ngày sinh của tài khoản; sau đó bạn có thể đăng nhập qua VNeID vào chính tài khoản này.
personal-id-update = Cập nhật
personal-id-skip = Bỏ qua
personal-id-later = Bạn có thể cập nhật sau trong Thông tin tài khoản → Thông tin định danh.
account-done-personal-id = Đã cập nhật số định danh cá nhân từ CSDL Quốc gia về Dân cư.
account-done-default = Đã đổi số điện thoại nhận OTP mặc định.
account-done-removed = Đã xóa số điện thoại nhận OTP.
account-done-password = Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.
account-done-others = Đã đăng xuất khỏi các thiết bị khác.
account-done-phone = Đã ghi nhận yêu cầu đổi số điện thoại nhận OTP; số mới có hiệu lực sau thời gian chờ, trong thời gian đó số cũ có thể hủy yêu cầu.
channel-mobile-subscriber = Thuê bao di động
channel-bhxh = Mã số BHXH
channel-vietnam-post = Bưu điện Việt Nam
channel-usb-token = USB ký số
channel-sim-pki = SIM ký số
channel-remote-signing = Ký số từ xa
channel-vneid = VNeID
audit-account-registered = Đăng ký tài khoản
audit-password-changed = Đổi mật khẩu
audit-phone-added = Thêm số điện thoại nhận OTP
audit-phone-removed = Xóa số điện thoại nhận OTP
audit-default-phone-changed = Đổi số điện thoại nhận OTP mặc định
audit-phone-change-refused = Từ chối đổi số điện thoại (thông tin thuê bao không khớp)
audit-identity-updated = Cập nhật thông tin định danh
audit-status-changed = Thay đổi trạng thái tài khoản
audit-signed-in = Đăng nhập
audit-sign-in-failed = Đăng nhập không thành công
audit-signed-out = Đăng xuất
audit-credential-added = Thêm phương thức xác thực
audit-credential-removed = Gỡ phương thức xác thực
audit-phone-change-scheduled = Yêu cầu đổi số điện thoại nhận OTP (đang chờ)
audit-phone-change-cancelled = Hủy yêu cầu đổi số điện thoại nhận OTP
audit-recovery-requested = Yêu cầu khôi phục mật khẩu
audit-security-refusal = Lần thử bị từ chối (giới hạn, mã sai hoặc mã xác thực)
audit-identity-proven-at-counter = Xác minh danh tính tại quầy Bưu điện Việt Nam

## OpenID provider pages
consent-title = Chia sẻ thông tin
consent-lead = { $service } muốn nhận các thông tin sau của bạn để giải quyết thủ tục:
consent-approve = Đồng ý
consent-deny = Không đồng ý
consent-scope-openid = Mã định danh tài khoản của bạn trên Cổng
consent-scope-profile = Họ và tên, ngày sinh, giới tính
consent-scope-phone = Số điện thoại
consent-scope-email = Địa chỉ thư điện tử
consent-scope-dvc = Số định danh cá nhân, loại tài khoản, mã số thuế
consent-scope-offline_access = Duy trì kết nối khi bạn không trực tuyến
authorize-expired = Yêu cầu đăng nhập từ dịch vụ đã hết hạn. Vui lòng quay lại dịch vụ và đăng nhập lại.
authorize-refused-unknown-client = Dịch vụ yêu cầu đăng nhập chưa được đăng ký với Cổng Dịch vụ công. Vui lòng liên hệ đơn vị cung cấp dịch vụ.
authorize-refused-redirect-uri = Địa chỉ quay lại của dịch vụ không khớp với địa chỉ đã đăng ký, nên Cổng không chuyển bạn tới đó. Vui lòng liên hệ đơn vị cung cấp dịch vụ.
authorize-refused-invalid-request = Yêu cầu đăng nhập từ dịch vụ không hợp lệ (thiếu hoặc lặp tham số). Vui lòng quay lại dịch vụ và thử lại.
logout-confirm-title = Đăng xuất
logout-confirm-lead = Bạn có muốn đăng xuất khỏi Cổng Dịch vụ công quốc gia không? Bạn sẽ được đăng xuất khỏi mọi dịch vụ đã đăng nhập qua Cổng.
logout-confirm-stay = Không, tiếp tục sử dụng
logout-refused-invalid-request = Yêu cầu đăng xuất không hợp lệ.
logout-refused-client-mismatch = Yêu cầu đăng xuất ghi tên một dịch vụ khác với dịch vụ đã nhận phiên đăng nhập.
signed-out-title = Bạn đã đăng xuất
signed-out-lead = Bạn đã đăng xuất khỏi Cổng Dịch vụ công quốc gia.

# Sign-in methods: steps that wait on something outside the page
flow-unreachable-message = Dịch vụ này yêu cầu đăng nhập ở mức { $level }, mà không phương thức đăng nhập nào ở đây đạt tới. Vui lòng dùng phương thức ở mức đó (USB ký số, SIM ký số, ký số từ xa hoặc VNeID mức 2) hoặc liên hệ dịch vụ.
flow-redirect-lead = Bạn sẽ đăng nhập tại dịch vụ ký số từ xa (VNPT SmartCA), rồi quay lại đây để xác nhận trên ứng dụng.
flow-waiting-lead = Vui lòng xác nhận trên điện thoại. Trước khi xác nhận, kiểm tra điện thoại hiển thị đúng mã kiểm tra này:
flow-local-agent-lead = Cắm USB ký số; chương trình ký số trên máy tính sẽ hỏi mã PIN.
agent-needs-script = Đăng nhập bằng USB ký số cần bật JavaScript để trang nói chuyện được với công cụ ký số trên máy tính.
agent-checking = Đang tìm công cụ ký số trên máy tính…
agent-ready = Đã thấy công cụ ký số. Bấm nút dưới đây, chọn chứng thư số và nhập mã PIN trong cửa sổ của công cụ ký số (không nhập mã PIN trên trang này).
agent-start = Ký bằng USB ký số
agent-waiting = Đang chờ bạn chọn chứng thư số và nhập mã PIN trong cửa sổ của công cụ ký số…
agent-open-window = Mở cửa sổ ký số
agent-cancelled = Bạn đã hủy ký. Bấm nút để thử lại.
agent-pin-locked = Mã PIN của USB ký số đã bị khóa. Hãy liên hệ tổ chức cung cấp chứng thư số.
agent-failed = Công cụ ký số không trả lời. Kiểm tra USB ký số đã cắm chưa rồi thử lại.
agent-missing-title = Chưa thấy công cụ ký số trên máy tính
agent-missing-install = Tải về và cài đặt công cụ ký điện tử (dvcid-agent).
agent-missing-guide = Xem hướng dẫn cài đặt
agent-missing-plug = Cắm USB ký số vào máy tính.
agent-missing-retry = Bấm "Thử lại".
action-retry = Thử lại
help-agent-title = Cài đặt công cụ ký số (dvcid-agent)
help-agent-lead = Để đăng nhập bằng USB ký số, máy tính của bạn cần công cụ ký số dvcid-agent. Trang Cổng không bao giờ hỏi mã PIN: mã PIN chỉ nhập trong cửa sổ của công cụ ký số.
help-agent-step-driver = Cài trình điều khiển (driver) của USB ký số do tổ chức cung cấp chứng thư số phát hành (VNPT-CA, Viettel-CA, …). Trình điều khiển có tệp PKCS#11, ví dụ trên Windows là tệp .dll trong thư mục cài đặt, trên Linux là tệp .so.
help-agent-step-install = Tải dvcid-agent cho hệ điều hành của bạn từ trang chính thức của Cổng và cài đặt.
help-agent-step-run = Chạy dvcid-agent với tệp PKCS#11 của USB ký số và địa chỉ của Cổng, ví dụ: dvcid-agent serve --module <tệp PKCS#11> --allow-origin { $origin }
help-agent-step-back = Quay lại trang đăng nhập, chọn "USB ký số".
action-refresh = Kiểm tra lại
phone-change-cancel-title = Hủy đổi số điện thoại nhận OTP
phone-change-cancel-lead = Có yêu cầu chuyển tin nhắn OTP của tài khoản bạn sang số điện thoại khác, và điện thoại của bạn đã nhận được mã hủy. Nếu không phải bạn, hãy nhập số định danh và mã đó: không có gì thay đổi, và mọi phiên đăng nhập vào tài khoản của bạn sẽ kết thúc.
phone-change-cancel-action = Hủy yêu cầu đổi số
phone-change-cancel-done = Yêu cầu đổi số đã được hủy và mọi phiên đăng nhập của tài khoản đã kết thúc. Nếu người khác biết mật khẩu của bạn, hãy đặt mật khẩu mới ngay.
field-cancel-code = Mã hủy (8 ký tự, trong tin nhắn)
problem-phone-change-pending = Yêu cầu đổi số điện thoại nhận OTP của tài khoản đang chờ có hiệu lực; trong thời gian này không thể thay đổi số điện thoại và mật khẩu. Nếu không phải bạn, hãy hủy bằng mã điện thoại của bạn đã nhận.
problem-phone-change-cancel-invalid = Số định danh và mã này không khớp với yêu cầu đổi số nào đang chờ.
flow-for-service = Đăng nhập bằng tài khoản Cổng Dịch vụ công quốc gia để sử dụng dịch vụ { $service }.
account-phone-pending = Số { $phone } sẽ trở thành số nhận OTP lúc { $at }, thay số hiện tại. Nếu không phải bạn yêu cầu, hãy hủy bằng mã điện thoại của bạn đã nhận:

## Vietnam Post (R4, S5)
register-channel-post = Bưu điện Việt Nam
register-channel-post-lead = Khi số điện thoại không đứng tên bạn: kích hoạt bằng mã OTP qua SMS hoặc liên kết gửi tới thư điện tử; xác minh danh tính tại quầy bưu điện để nâng mức tài khoản.
flow-register-post-title = Đăng ký qua Bưu điện Việt Nam
flow-register-post-lead = Nhập các thông tin có dấu * và mã xác nhận, rồi chọn cách kích hoạt tài khoản. Thông tin được đối chiếu với Cơ sở dữ liệu quốc gia về dân cư.
field-post-phone-hint = Số nhận mã OTP khi đăng nhập; không cần đứng tên bạn
field-post-email-hint = Bắt buộc nếu chọn kích hoạt qua thư điện tử
field-activation = Kích hoạt tài khoản bằng
activation-sms = Mã OTP gửi qua SMS tới số điện thoại trên
activation-email = Liên kết gửi tới thư điện tử trên
field-document-number = Số giấy tờ đã kiểm tra
field-note = Ghi chú
done-link-sent-title = Kiểm tra hộp thư của bạn
done-link-sent-message = Liên kết kích hoạt đã được gửi tới { $email }. Mở liên kết trong { $hours } giờ và nhấn "Kích hoạt tài khoản"; tài khoản chỉ được tạo khi đó.
post-activate-title = Kích hoạt tài khoản
post-activate-lead = Kích hoạt tài khoản Cổng Dịch vụ công quốc gia của { $name } (đăng ký với thư điện tử { $email }). Liên kết hết hạn lúc { $at }.
post-activate-action = Kích hoạt tài khoản
post-activated-title = Tài khoản đã được kích hoạt
post-activated-message = Bạn có thể đăng nhập bằng số định danh cá nhân, mật khẩu và mã OTP gửi tới số điện thoại đã đăng ký. Tài khoản ở mức 2; xác minh danh tính tại quầy Bưu điện Việt Nam để nâng lên mức 3.
post-link-restart = Đăng ký lại
problem-post-activation-required = Chọn cách kích hoạt tài khoản: mã OTP qua SMS hoặc liên kết qua thư điện tử.
problem-post-email-required = Nhập địa chỉ thư điện tử để nhận liên kết kích hoạt, hoặc chọn kích hoạt bằng mã OTP qua SMS.
problem-post-email-unavailable = Hiện không gửi được liên kết kích hoạt qua thư điện tử. Vui lòng chọn kích hoạt bằng mã OTP qua SMS.
problem-post-mail-throttled = Hôm nay đã gửi quá nhiều liên kết kích hoạt cho thư điện tử, số định danh này hoặc từ thiết bị này. Vui lòng dùng liên kết đã nhận, chọn kích hoạt qua SMS, hoặc thử lại vào ngày mai.
problem-post-mail-unavailable = Hệ thống thư điện tử không phản hồi nên liên kết chưa được gửi. Vui lòng thử lại sau ít phút hoặc chọn kích hoạt qua SMS.
problem-post-link-invalid = Liên kết kích hoạt không hợp lệ. Hãy mở đúng liên kết trong thư, hoặc đăng ký lại.
problem-post-link-used = Liên kết kích hoạt này đã được dùng. Nếu tài khoản đã được kích hoạt, hãy đăng nhập.
problem-post-link-expired = Liên kết kích hoạt đã hết hạn (24 giờ). Vui lòng đăng ký lại.
problem-counter-not-found = Không có tài khoản nào với số định danh này.
problem-counter-not-vietnam-post = Tài khoản này không đăng ký qua Bưu điện Việt Nam; không xác minh tại quầy bưu điện.
problem-counter-already-proven = Danh tính của tài khoản này đã được xác minh tại quầy.
problem-counter-document-required = Nhập số giấy tờ (CCCD hoặc hộ chiếu) đã kiểm tra.
problem-counter-document-invalid = Số giấy tờ gồm 6 đến 20 chữ cái và chữ số.
problem-counter-document-mismatch = Số CCCD này không phải số định danh của tài khoản: giấy tờ của người khác không xác minh được người đăng ký.
problem-counter-note-required = Ghi lại lý do và cách đã kiểm tra giấy tờ.
problem-counter-note-too-long = Ghi chú dài tối đa 500 ký tự.
account-proofing = Mức xác minh danh tính
account-proofing-online = { $source }, { $level }: đã đối chiếu với Cơ sở dữ liệu quốc gia về dân cư; mang CCCD tới quầy Bưu điện Việt Nam để được xác minh và nâng lên LoA3.
account-proofing-counter = { $source }, { $level }: giấy tờ đã được kiểm tra tại quầy ngày { $date }.
