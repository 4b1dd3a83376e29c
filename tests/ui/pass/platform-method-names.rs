//! The platform's methods that are not dotted lowercase are methods all the same.

use serde::Deserialize;
use top_api::top_api;

#[derive(Deserialize)]
pub struct Answer {}

#[top_api(method = "taobao.miniapp.userInfo.get", response = Answer)]
pub struct MiniappUserInfoGet;

#[top_api(method = "push.aliyuncs.com.pushMsg.2015-03-18", response = Answer)]
pub struct PushMsg;

#[top_api(method = "alitrip.flight.basic.data.city.queryAll", response = Answer)]
pub struct CityQueryAll;

#[top_api(method = "m-kvstore.aliyuncs.com.DescribeRegions.2015-03-01", response = Answer)]
pub struct DescribeRegions;

fn main() {
    use top_api::Request;
    assert_eq!(PushMsg::METHOD, "push.aliyuncs.com.pushMsg.2015-03-18");
    assert_eq!(MiniappUserInfoGet::METHOD, "taobao.miniapp.userInfo.get");
    let _ = (CityQueryAll::METHOD, DescribeRegions::METHOD);
}
